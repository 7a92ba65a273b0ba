"""Paying a case's fees from the mini-program: open (or reuse) the order, pay, say it was paid, see fees."""

from __future__ import annotations

from server.http.api import Route, endpoint
from server.http.base import BaseHandler
from server.payments import service
from server.payments.schemas import FEE, FEES, PAY_REQUEST, PAY_RESPONSE
from server.settings import Settings

TAGS = ["payments"]


class FeesHandler(BaseHandler):
    @endpoint("The fees of one of my cases, each with its orders", tags=TAGS, auth="citizen",
              responses={200: FEES}, errors=(401, 404))
    async def get(self, case_id: str) -> None:
        self.write_json(await service.fees_of_case(self.deps, self.principal, case_id))


class PayHandler(BaseHandler):
    @endpoint("Pay a fee: the arguments of wx.requestPayment or the Alipay trade number for my.tradePay",
              tags=TAGS, auth="citizen", request=PAY_REQUEST, responses={200: PAY_RESPONSE},
              errors=(400, 401, 404, 409, 422, 502, 503),
              description="One open order per fee: paying again reuses it (another provider closes it first). "
                          "409 fee_already_paid; 422 payment_channel_mismatch when the provider is not the "
                          "mini-program the caller logged in with.")
    async def post(self, case_id: str, fee_id: str) -> None:
        self.write_json(await service.pay(self.deps, self.principal, case_id, fee_id, self.body["provider"]))


class PaidHandler(BaseHandler):
    @endpoint("The mini-program says the fee was paid: the server asks the provider and answers the fee",
              tags=TAGS, auth="citizen", responses={200: FEE}, errors=(401, 404, 409, 502, 503))
    async def post(self, case_id: str, fee_id: str) -> None:
        self.write_json(await service.confirm(self.deps, self.principal, case_id, fee_id))


def routes(settings: Settings) -> list[Route]:
    return [
        Route("/mp/v1/cases/{case_id}/fees", FeesHandler),
        Route("/mp/v1/cases/{case_id}/fees/{fee_id}/pay", PayHandler),
        Route("/mp/v1/cases/{case_id}/fees/{fee_id}/paid", PaidHandler),
    ]
