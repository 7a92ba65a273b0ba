"""Why a login or a real-name binding was refused (codes are stable API)."""

from __future__ import annotations

from server.errors import Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized, Unprocessable


class LoginCodeInvalid(Unauthorized):
    """The wx.login / my.getAuthCode code is unknown, expired or already used: get a new one and retry."""

    code = "login_code_invalid"
    default_message = "登录码无效或已使用，请重新登录"


class InvalidPersonName(Unprocessable):
    code = "invalid_name"
    default_message = "姓名无效"


class InvalidLegalPersonName(Unprocessable):
    code = "invalid_legal_person_name"
    default_message = "单位名称无效"


class RealNameMismatch(Conflict):
    code = "real_name_mismatch"
    default_message = "该身份证号码已由其他姓名认证，请核对姓名和号码"


class RealNameAlreadyBound(Conflict):
    code = "real_name_already_bound"
    default_message = "当前账号已绑定其他身份证号码"


class RealNameBusy(Conflict):
    code = "real_name_busy"
    default_message = "实名认证正在处理中，请稍后再试"


class VerificationNotFound(NotFound):
    """Unknown, expired long ago, or started by another account: all look the same to the caller."""

    code = "real_name_verification_not_found"
    default_message = "实名核验记录不存在，请重新核验"


class VerificationExpired(Conflict):
    code = "real_name_verification_expired"
    default_message = "实名核验已过期，请重新核验"


class VerificationUsed(Conflict):
    code = "real_name_verification_used"
    default_message = "该实名核验已使用，请重新核验"


class VerificationFailed(Conflict):
    """The provider did not confirm that the caller is the person (face mismatch, not finished, other data)."""

    code = "real_name_verification_failed"
    default_message = "实名核验未通过，请重新核验"


class VerifyResultRequired(Unprocessable):
    code = "verify_result_required"
    default_message = "请先完成人脸核身"


class VerificationLimitReached(TooManyRequests):
    code = "real_name_verification_limit"
    default_message = "今日实名核验次数已达上限，请明天再试"


class RealNameRequired(Forbidden):
    code = "real_name_required"
    default_message = "请先完成实名认证"
