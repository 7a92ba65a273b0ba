"""Failures of staff login, sessions and authorisation; the codes are what the console switches on."""

from __future__ import annotations

from server.errors import Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized, Unprocessable


class LoginFailed(Unauthorized):
    # One answer for an unknown username and a wrong password, so usernames cannot be probed.
    code = "login_failed"
    default_message = "用户名或密码错误"


class AccountLocked(TooManyRequests):
    code = "account_locked"
    default_message = "登录失败次数过多，账号已临时锁定，请稍后再试"


class AccountDisabled(Forbidden):
    code = "account_disabled"
    default_message = "账号已停用，请联系管理员"


class SessionMissing(Unauthorized):
    code = "session_missing"
    default_message = "请先登录"


class SessionInvalid(Unauthorized):
    code = "session_invalid"
    default_message = "会话无效，请重新登录"


class SessionExpired(Unauthorized):
    code = "session_expired"
    default_message = "会话已过期，请重新登录"


class CsrfFailed(Forbidden):
    code = "csrf_failed"
    default_message = "请求校验失败，请刷新页面后重试"


class RoleRequired(Forbidden):
    code = "role_required"
    default_message = "没有权限执行此操作"


class CurrentPasswordWrong(Forbidden):
    code = "current_password_wrong"
    default_message = "当前密码不正确"


class StaffUserNotFound(NotFound):
    code = "staff_user_not_found"
    default_message = "账号不存在"


class UsernameTaken(Conflict):
    code = "username_taken"
    default_message = "用户名已被使用"


class InvalidUsername(Unprocessable):
    code = "invalid_username"
    default_message = "用户名应为2到32位小写字母、数字、点、下划线或连字符，并以字母或数字开头"


class CannotChangeOwnAdminAccess(Conflict):
    # Keeps an administrator from locking every administrator out by accident; the CLI can always repair.
    code = "cannot_change_own_admin_access"
    default_message = "不能停用自己的账号或移除自己的管理员角色"
