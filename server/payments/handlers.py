"""Provider callbacks and the staff side of payments (refunds, reconciliation reports).

Callbacks are not authenticated by us: their signature is checked in the domain. WeChat Pay is answered
``{"code": "SUCCESS"}`` or 4xx/5xx ``{"code": "FAIL"}`` (it retries on failure); Alipay reads the text
``success`` (anything else makes it retry). A duplicate or late notice still gets the success answer.
"""

from __future__ import annotations

import logging

from server.errors import AppError
from server.http.api import Route, endpoint, string
from server.http.base import BaseHandler
from server.payments import reconciliation, service
from server.payments.schemas import RECONCILIATIONS, REFUND_REQUEST, STAFF_FEES, STAFF_ORDER, WECHAT_ANSWER
from server.settings import Settings
from server.staff.roles import Role

log = logging.getLogger("yiwang.payments")

OFFICER = (Role.OFFICER.value,)
TAGS = ["payments"]


class WechatNotifyHandler(BaseHandler):
    @endpoint("WeChat Pay APIv3 callback (payment and refund results)", tags=TAGS,
              request_content_type="application/json",
              responses={200: WECHAT_ANSWER, 400: WECHAT_ANSWER, 500: WECHAT_ANSWER},
              description="Signed by the WeChat Pay platform; answered the way WeChat expects (FAIL with 4xx/5xx "
                          "makes it retry).")
    async def post(self) -> None:
        try:
            await service.handle_notice(self.deps, "wechat", dict(self.request.headers.get_all()), self.raw_body)
        except AppError as error:
            log.warning("WeChat Pay notice refused: %s", error.code)
            # Refused (4xx) or could not be applied now (5xx): either way WeChat sends it again later.
            self.write_json({"code": "FAIL", "message": error.message}, 400 if error.status < 500 else 500)
            return
        self.write_json({"code": "SUCCESS", "message": "成功"})


class AlipayNotifyHandler(BaseHandler):
    @endpoint("Alipay async notice (trade_status_sync)", tags=TAGS,
              request_content_type="application/x-www-form-urlencoded", response_content_type="text/plain",
              responses={200: None}, description="Answered `success` or `failure` as Alipay expects.")
    async def post(self) -> None:
        try:
            await service.handle_notice(self.deps, "alipay", dict(self.request.headers.get_all()), self.raw_body)
            answer = "success"
        except AppError as error:
            log.warning("Alipay notice refused: %s", error.code)
            answer = "failure"
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(answer)


class StaffFeesHandler(BaseHandler):
    @endpoint("The fees of a case with every order and its refunds", tags=TAGS, auth="staff", roles=OFFICER,
              responses={200: STAFF_FEES}, errors=(401, 403, 404))
    async def get(self, case_id: str) -> None:
        self.write_json(await service.fees_for_officer(self.deps, self.principal, case_id))


class RefundHandler(BaseHandler):
    @endpoint("Refund (part of) a paid fee order through its provider", tags=TAGS, auth="staff", roles=OFFICER,
              request=REFUND_REQUEST, responses={200: STAFF_ORDER}, errors=(400, 401, 403, 404, 409, 422, 503),
              description="422 refund_exceeds_paid past what is left to refund; 409 order_not_refundable, "
                          "refund_in_progress, refund_abnormal (an ABNORMAL WeChat refund is settled by hand "
                          "first). A refund the provider refused comes back failed with the order as before; "
                          "one the provider could not be asked about stays pending (last_error) and the "
                          "worker asks, and sends it again with the same number if the provider lacks it.")
    async def post(self, case_id: str, order_id: str) -> None:
        order = await service.refund(self.deps, self.principal, case_id, order_id, self.body["amount_fen"],
                                     self.body["reason"])
        self.write_json(order)


class ReconciliationHandler(BaseHandler):
    @endpoint("Reconciliation reports of a day (one per provider)", tags=TAGS, auth="staff", roles=OFFICER,
              query={"date": string(format="date")}, required_query=("date",),
              responses={200: RECONCILIATIONS}, errors=(400, 401, 403))
    async def get(self) -> None:
        self.write_json(await reconciliation.reports_of(self.deps, self.query["date"]))


def routes(settings: Settings) -> list[Route]:
    return [
        Route("/payments/v1/wechat/notify", WechatNotifyHandler),
        Route("/payments/v1/alipay/notify", AlipayNotifyHandler),
        Route("/staff/v1/cases/{case_id}/fees", StaffFeesHandler),
        Route("/staff/v1/cases/{case_id}/fees/{order_id}/refund", RefundHandler),
        Route("/staff/v1/payments/reconciliation", ReconciliationHandler),
    ]
