"""Published payment-signature vectors, copied from shared/testdata/vectors/payment_and_id_vectors.md and the
official SDK test files it cites (a fresh clone has no ../shared). Each block names its source and commit."""

from __future__ import annotations

# --- §1 WeChat Pay v2 "签名算法" doc example (pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3) ---
V2_FIELDS = {
    "appid": "wxd930ea5d5a258f4f",
    "mch_id": "10000100",
    "device_info": "1000",
    "body": "test",
    "nonce_str": "ibuaiVcKdpRxkhJA",
}
V2_API_KEY = "192006250b4c09247ec02edce69f6a2d"
V2_STRING_A = "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA"
V2_MD5_SIGN = "9A0A8659F005D6984697E2CA0A9CF3B7"
V2_HMAC_SHA256_SIGN = "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
V2_REQUEST_XML = (
    "<xml><appid>wxd930ea5d5a258f4f</appid><mch_id>10000100</mch_id><device_info>1000</device_info>"
    "<body>test</body><nonce_str>ibuaiVcKdpRxkhJA</nonce_str><sign>9A0A8659F005D6984697E2CA0A9CF3B7</sign></xml>"
)

# --- §2b wechatpay-apiv3/wechatpay-go utils/sign_test.go @ 4a01b1d5ea7700054d3583f119dd02cbcf38ce0c ---
# A published 2048-bit PKCS#8 test key. Its PEM label is "TESTING KEY" (as in the Go file, so that secret
# scanners leave it alone); use WECHATPAY_GO_TEST_PRIVATE_KEY_PEM, which puts the real label back.
_WECHATPAY_GO_TESTING_KEY = """-----BEGIN TESTING KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33V+dSfvd
fL0Mu+39XrZNXFFMQSy1V15FpncHeV47SmV0TzTqZc7hHB0ddqAdDi8Z5k3TKqb7
6sOwYr5TcAfuR6PIPaleyE0/0KrljBum2Isa2Nyq7Dgc3ElBQ6YN4l/a+DpvKaz1
FSKmKrhLNskqokWVSlu4g8OlKlbPXQ9ibII14MZRQrrkTmHYHzfi7GXXM0thAKuR
0HNvyhTHBh4/lrYM3GaMvmWwkwvsMavnOex6+eioZHBOb1/EIZ/LzC6zuHArPpyW
3daGaZ1rtQB1vVzTyERAVVFsXXgBHvfFud3w3ShsJYk8JvMwK2RpJ5/gV0QSARcm
LDRUAlPzAgMBAAECggEBAMc7rDeUaXiWv6bMGbZ3BTXpg1FhdddnWUnYE8HfX/km
OFI7XtBHXcgYFpcjYz4D5787pcsk7ezPidAj58zqenuclmjKnUmT3pfbI5eCA2v4
C9HnbYDrmUPK1ZcADtka4D6ScDccpNYNa1g2TFHzkIrEa6H+q7S3O2fqxY/DRVtN
0JIXalBb8daaqL5QVzSmM2BMVnHy+YITJWIkP2a3pKs9C0W65JGDsnG0wVrHinHF
+cnhFZIbaPEI//DAFMc9NkrWOKVRTEgcCUxCFaHOZVNxDWZD7A2ZfJB2rK6eg//y
gEiFDR2h6mTaDowMB4YF2n2dsIO4/dCG8vPHI20jn4ECgYEA/ZGu6lEMlO0XZnam
AZGtiNgLcCfM/C2ZERZE7QTRPZH1WdK92Al9ndldsswFw4baJrJLCmghjF/iG4zi
hhBvLnOLksnZUfjdumxoHDWXo2QBWbI5QsWIE7AuTiWgWj1I7X4fCXSQf6i+M/y2
6TogQ7d0ANpZFyOkTNMn/tiJvLECgYEA22XqlamG/yfAGWery5KNH2DGlTIyd6xJ
WtJ9j3jU99lZ0bCQ5xhiBbU9ImxCi3zgTsoqLWgA/p00HhNFNoUcTl9ofc0G3zwT
D1y0ZzcnVKxGJdZ6ohW52V0hJStAigtjYAsUgjm7//FH7PiQDBDP1Wa6xSRkDQU/
aSbQxvEE8+MCgYEA3bb8krW7opyM0XL9RHH0oqsFlVO30Oit5lrqebS0oHl3Zsr2
ZGgoBlWBsEzk3UqUhTFwm/DhJLTSJ/TQPRkxnhQ5/mewNhS9C7yua7wQkzVmWN+V
YeUGTvDGDF6qDz12/vJAgSwDDRym8x4NcXD5tTw7mmNRcwIfL22SkysThIECgYAV
BgccoEoXWS/HP2/u6fQr9ZIR6eV8Ij5FPbZacTG3LlS1Cz5XZra95UgebFFUHHtC
EY1JHJY7z8SWvTH8r3Su7eWNaIAoFBGffzqqSVazfm6aYZsOvRY6BfqPHT3p/H1h
Tq6AbBffxrcltgvXnCTORjHPglU0CjSxVs7awW3AEQKBgB5WtaC8VLROM7rkfVIq
+RXqE5vtJfa3e3N7W3RqxKp4zHFAPfr82FK5CX2bppEaxY7SEZVvVInKDc5gKdG/
jWNRBmvvftZhY59PILHO2X5vO4FXh7suEjy6VIh0gsnK36mmRboYIBGsNuDHjXLe
BDa+8mDLkWu5nHEhOxy2JJZl
-----END TESTING KEY-----"""
WECHATPAY_GO_TEST_PRIVATE_KEY_PEM = _WECHATPAY_GO_TESTING_KEY.replace("TESTING KEY", "PRIVATE KEY")
WECHATPAY_GO_SOURCE_MESSAGE = "source"
WECHATPAY_GO_SOURCE_SIGNATURE = (
    "BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6pHU4ld815U4jsKu1"
    "RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOhuH6IEqLNJn8e"
    "9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwfLpUtJm4Q"
    "YVazzW7DFD27EpSQEqA8bX9+8m1rLg=="
)

# --- §2c wechatpay-go core/notify/notify_test.go @ 10b581e92a93933b822603bd502dbe1bd521f9fd,
#     TestHandler_ParseNotifyRequest (time frozen at 1624523846). Its self-signed "platform certificate"
#     holds the public half of the §2b key. ---
WECHATPAY_GO_PLATFORM_CERTIFICATE_PEM = """-----BEGIN CERTIFICATE-----
MIIDVzCCAj+gAwIBAgIJANfOWdH1ItcBMA0GCSqGSIb3DQEBCwUAMEIxCzAJBgNV
BAYTAlhYMRUwEwYDVQQHDAxEZWZhdWx0IENpdHkxHDAaBgNVBAoME0RlZmF1bHQg
Q29tcGFueSBMdGQwHhcNMjEwNDI3MDg1NTIzWhcNMzEwNDI1MDg1NTIzWjBCMQsw
CQYDVQQGEwJYWDEVMBMGA1UEBwwMRGVmYXVsdCBDaXR5MRwwGgYDVQQKDBNEZWZh
dWx0IENvbXBhbnkgTHRkMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA
2VCTd91fnUn73Xy9DLvt/V62TVxRTEEstVdeRaZ3B3leO0pldE806mXO4RwdHXag
HQ4vGeZN0yqm++rDsGK+U3AH7kejyD2pXshNP9Cq5YwbptiLGtjcquw4HNxJQUOm
DeJf2vg6byms9RUipiq4SzbJKqJFlUpbuIPDpSpWz10PYmyCNeDGUUK65E5h2B83
4uxl1zNLYQCrkdBzb8oUxwYeP5a2DNxmjL5lsJML7DGr5znsevnoqGRwTm9fxCGf
y8wus7hwKz6clt3Whmmda7UAdb1c08hEQFVRbF14AR73xbnd8N0obCWJPCbzMCtk
aSef4FdEEgEXJiw0VAJT8wIDAQABo1AwTjAdBgNVHQ4EFgQUT1c7nd/SUO76HSoZ
umNUJv1R5PwwHwYDVR0jBBgwFoAUT1c7nd/SUO76HSoZumNUJv1R5PwwDAYDVR0T
BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAfTjxKRQMzNB/U6ZoCUS+BSNfa2Oh
0plMN6ZuzwiVVZwg1jywvv5yv04koS7Pd4i9E4gt9ZBUQXlpq+A3oOCEEHNRR6b2
kyazGRM7s0OP5X21WrbpSmKmU6K7hkfx30yYs08LVs/Q8DIhvaj1FCFeJzUCzYn/
fHMq4tsbKO0dKAeydPM/nrUZBmaYQVKMVOORGLFjFKVO7JV6Kq/R86ouhjEPgJOe
2xulNBUcjicqtZlBdEh/PWCYP2SpGVDclKm8jeo175T3EVAkdKzzmfpxtMmnMlmq
cTJOU9TxuGvNASMtjj7pYIerTx+xgZDXEVBWFW9PjJ0TV06tCRsgSHItgg==
-----END CERTIFICATE-----"""
WECHATPAY_GO_PLATFORM_SERIAL = "D7CE59D1F522D701"
NOTIFY_TIME = 1624523846
NOTIFY_HEADERS = {
    "Content-Type": "application/json",
    "Wechatpay-Nonce": "EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz",
    "Wechatpay-Timestamp": "1624523846",
    "Wechatpay-Serial": "D7CE59D1F522D701",
    "Wechatpay-Signature": (
        "tJHIiIS9eB2hAYstmAmbbD3ZE5LiIm/Ug5tuL4fC0YOFRWIHV39UFIZXC0e9Wl6lBu6sKvkqDkzpqzBsVHyXFlbYZTOQrVdG4b6Lf"
        "TnK4mikv9++ixJMd3vTf2yCqvBkh98zs3Ds5zsYQakzbcwhmw4fMJs4nPLws28H0UW9FjDR//rxELLwXvV1VEA1IBLX70xptjL8hrfU"
        "jEE8kkry6yNJTHZRU8CAc7qHli2Ng1V1qb9ARbK8A3ThmFmPQvRGrapI/jS2laKKgYUmfdEdkNO6B2Cke5e8VTxY406ArAmQ90GAihD"
        "wIcb16TQMnzCMBoutnwZKNiKRACrFmtxw2Q=="
    ),
}
NOTIFY_CIPHERTEXT = (
    "YDS3lKPaC4Y52Gf3uhft5qUBlIa8b428AWTtTauHQfQrRw+X1WpiuHIDy0vo1Vd6VEq67aVyqPdDYMkRVSDaZL3iZttevRMOoPKMifo"
    "zg6XPWjIZumks/GpT48lI4NizyeaqLBokNebthah3o1H76qSlO9NkDjp9bzmKLEYYH9TEklFUpsvPqOTOcgSLgh21YJXYR7dEBXFgRLiN"
    "IKRgO5JdXh1hccRUAlyVWxE54PXpnQ=="
)
NOTIFY_BODY = (
    '{"id":"3119dfba-e649-5eec-ab1e-3412bc4d2e17","create_time":"2021-06-24T16:37:26+08:00",'
    '"resource_type":"encrypt-resource","event_type":"PAYSCORE.USER_OPEN_SERVICE","summary":"签约成功",'
    '"resource":{"original_type":"payscore","algorithm":"AEAD_AES_256_GCM","ciphertext":"' + NOTIFY_CIPHERTEXT + '",'
    '"associated_data":"payscore","nonce":"Kj7QIyUiYx1q"}}'
).encode()
NOTIFY_API_V3_KEY = b"testMchAPIv3Key0"  # 16 bytes: AES-128-GCM; real APIv3 keys are 32 bytes
NOTIFY_RESOURCE_NONCE = "Kj7QIyUiYx1q"
NOTIFY_RESOURCE_ASSOCIATED_DATA = "payscore"
NOTIFY_PLAINTEXT = (
    b'{"mchid":"1234567890","appid":"054aa7d7a2a54ab5898df65bd96f001c",'
    b'"create_time":"2020-06-30T12:12:00+08:00","out_contract_code":"21640bdbd08e473e828f3206a2741c6e"}'
)

# --- §2d wechatpay-go utils/aes_test.go @ 192b913ad3a14b232869a5aeb9a764f52a460c3b ---
AES_KEY = b"testAPIv3Key0000"
AES_NONCE = "wCq51qZv4Yfg"
AES_ASSOCIATED_DATA = "Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8"
AES_CIPHERTEXT = "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC"
AES_PLAINTEXT = b"Hello World"

# --- §3 alipay/alipay-sdk-nodejs-all test/alipay.test.ts (md cites e1676390871eb7a69b4f81aa15de8327ac15738a;
#     the copy read for the "verify fail" sign and the response vector is 02e76a3d9f125699fec9d749205f2b17d67cd5e8) ---
# (A) trade notify, signed WITHOUT sign_type; key = inline notifyAlipayPublicKeyV1 (bare base64 SPKI).
ALIPAY_NOTIFY_PUBLIC_KEY_V1 = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqObrdC7hrgAVM98tK0nv3hSQRGGKT4lBsQjHiGjeYZjOPIPHR5knm2jnnz/YGIX"
    "IofVHkA/tAlBAd5DrY7YpvI4tP5EONLtZKC2ghBMx7McI2wRD0xiqzxOQr1FuhZGJ8/AUokBzJrzY+aGX2xcOrxFYRlFilvVLTXg4LWjR1"
    "tdPkO6+i7wQZAIVMClPkwVRZEbaERRHlKqTzv2gGv5rDU8gRoe1LeaN+6BlbTqHWkQcNCUNrA8C6l17XAXGKDsm/9TFWwO8EPHHHCaQdjtV"
    "5/FdcWIt+L8SR1ss7EXTjYDFtxcKVv9rEoY1lX8T4mX+GbXfZHraG5NCF1+XioL5JwIDAQAB"
)
ALIPAY_TRADE_NOTIFY = {
    "gmt_create": "2019-08-15 15:56:22",
    "charset": "utf-8",
    "seller_email": "z97-yuquerevenue@service.aliyun.com",
    "subject": "语雀空间 500人规模",
    "sign": (
        "QfTb8tqE1BMhS5qAnXtvsF3/jBkEvu9q9en0pdbBUDDjvKycZhQb7h8GDs4FKfi049PynaNuatxSgLb/nLWZpXyyh0LEWdK2S6Ri7nPwr"
        "VgOs08zugLO20vOQz44y3ti2Ncm8/wZts1Fr2gZ7pShnVX3d1B50hbsXnObT1r/U8ONNQjWXd0HIul4TG+Q3fm3svmSvFEy0WnzuhcyHP"
        "X5Gm4ELNctL6Qd5YniGJFNcc7kopHYtI/XD9YCKCH6Ct02rzUs9i11C9CsadtZn+WhxF26Dqt9sGEFajkJ8cxUTLi8+VCpLHsgPE8P0y0"
        "95uQcDdK0YjCh4x7wVSov+lrmOQ=="
    ),
    "buyer_id": "2088102534368455",
    "invoice_amount": "0.10",
    "notify_id": "2019081500222155624068450559358070",
    "fund_bill_list": '[{"amount":"0.10","fundChannel":"ALIPAYACCOUNT"}]',
    "notify_type": "trade_status_sync",
    "trade_status": "TRADE_SUCCESS",
    "receipt_amount": "0.10",
    "buyer_pay_amount": "0.10",
    "sign_type": "RSA2",
    "app_id": "2019073166072302",
    "seller_id": "2088531891668739",
    "gmt_payment": "2019-08-15 15:56:24",
    "notify_time": "2019-08-15 15:56:25",
    "version": "1.0",
    "out_trade_no": "20190815155618536-564-57",
    "total_amount": "0.10",
    "trade_no": "2019081522001468450512505578",
    "auth_app_id": "2019073166072302",
    "buyer_logon_id": "xud***@126.com",
    "point_amount": "0.00",
}
ALIPAY_TRADE_NOTIFY_SIGN_CONTENT = (
    "app_id=2019073166072302&auth_app_id=2019073166072302&buyer_id=2088102534368455&buyer_logon_id=xud***@126.com"
    '&buyer_pay_amount=0.10&charset=utf-8&fund_bill_list=[{"amount":"0.10","fundChannel":"ALIPAYACCOUNT"}]'
    "&gmt_create=2019-08-15 15:56:22&gmt_payment=2019-08-15 15:56:24&invoice_amount=0.10"
    "&notify_id=2019081500222155624068450559358070&notify_time=2019-08-15 15:56:25&notify_type=trade_status_sync"
    "&out_trade_no=20190815155618536-564-57&point_amount=0.00&receipt_amount=0.10"
    "&seller_email=z97-yuquerevenue@service.aliyun.com&seller_id=2088531891668739&subject=语雀空间 500人规模"
    "&total_amount=0.10&trade_no=2019081522001468450512505578&trade_status=TRADE_SUCCESS&version=1.0"
)
# "verify fail": a trade notify from another app, which must not verify against key V1.
ALIPAY_FOREIGN_TRADE_NOTIFY = {
    "app_id": "2018121762595097",
    "auth_app_id": "2018121762595097",
    "buyer_id": "2088512613526436",
    "buyer_logon_id": "152****6706",
    "buyer_pay_amount": "0.01",
    "charset": "utf-8",
    "fund_bill_list": '[{"amount":"0.01","fundChannel":"PCREDIT"}]',
    "gmt_create": "2019-05-23 14:13:56",
    "gmt_payment": "2019-05-23 14:17:13",
    "invoice_amount": "0.01",
    "notify_id": "2019052300222141714026431019971405",
    "notify_time": "2019-05-23 14:17:14",
    "notify_type": "trade_status_sync",
    "out_trade_no": "tpxy23962362669658",
    "point_amount": "0.00",
    "receipt_amount": "0.01",
    "seller_email": "myapp@alitest.com",
    "seller_id": "2088331578818800",
    "sign": (
        "T946S2qyNFAXLhAaRgNMmatxH6SO3MyWYFnTamQOgW1iAcheL/Zz+VoizwvEc6mTEwYewvvKS1wNkMQ1oEajMUHv9+cXQ9IFvU/qKS9K"
        "tvw5xHvCaK0fj7LsVcQ7VxfyT3kSvXUDfKDP4cHSPuSZKwM2ybkzr53bIH9OUTpTQd2d3J0rbdf76OoUt+XF9vwqj7OVE7AGjH2HPWp8"
        "42DgL/YVy4qeA9N2uFKRevT3YUskjaRxuI/E66reNjTMFhbjEqGLKvMcDD4BaQXnibq9ojAj60589fBwzKk3yWsVQmqGfksMQoheVMtZ"
        "3lAw4o2ty3TFngbVFFLwgx8FDpBZ9Q=="
    ),
    "sign_type": "RSA2",
    "subject": "tpxy2222896485",
    "total_amount": "0.01",
    "trade_no": "111111112019052322001426431037869358",
    "trade_status": "TRADE_SUCCESS",
    "version": "1.0",
}

# (B) service-market notify, signed WITH sign_type; key = test/fixtures/alipay-notify-sign-public-key-v2.pem.
ALIPAY_NOTIFY_PUBLIC_KEY_V2_PEM = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAk6DCsBIUhWriFohzRV8F
ic6oQWNnLKKILNk97VU5qcHEuxYzCujKoyva5gy1170mFJw4IcgJF8AyS7iDUwzA
wF4Pp9CpWxDhUhe7mdQJhjBmvTcPLGFFrzlj6unO5lAcbdwaxPUtSxOaNxPJGrTK
/wnKQSbjTMMltp1J68q2Tfgrsn/NdZ6lrxO9rvmky8kowqaH5NjntyHO59jCGabM
j5sI14z8N61wB/QuIJrDuzIPMPrSNbq0cOWcSCDG09oUHTp9fk7suDB8UiFcmVTX
OvK3d4HbeX8V9YsEMxrwxEoYgRRj6K2qrC6oxw480cqf2ueumCmHg6xrcgkyXK81
hwIDAQAB
-----END PUBLIC KEY-----"""
ALIPAY_SERVICE_MARKET_NOTIFY = {
    "app_id": "2017122801303261",
    "charset": "UTF-8",
    "commodity_order_id": "2019030800000018079639",
    "contactor": "技术支持测试的公司",
    "merchant_pid": "2088721996721370",
    "method": "alipay.open.servicemarket.order.notify",
    "name": "技术支持测试的公司",
    "notify_id": "2019030800222102023008121054923345",
    "notify_time": "2019-03-08 10:20:23",
    "notify_type": "servicemarket_order_notify",
    "order_item_num": "1",
    "order_ticket": "29b1c37d99ab48c5bd5bdaeaeaefbB37",
    "order_time": "2019-03-08 10:20:08",
    "phone": "17826894615",
    "service_code": "58621634",
    "sign": (
        "MsK5SCw8oqLw4f0hiNSd5OVGXxBY3wnQeT8vn5PklJSZFWSZbK4hQbNvkp4ZezeXQH514cEv0ul6Qow8yh6e6yM06LfEL+EZjcpZ0nxz"
        "FGRNQ5qq2AUc1OaXQdk92AGvxh+Iq4NGpPQFBd4D8EBJa3NJd8+czMfQskceosOQFqUtLQMYa5DPs+VpN7VM5BdXjaVIuKn5d9Wm2B9d"
        "I9ObIM+YRySDkZZPv14DVmUvcrcqJfOR8aHvtSd7B4l92wUQPQgQKNcOQho7xOHS/Bk+Y74AZL2y7TkNmdDoq9OGsThuF5tDW9rI9nVw"
        "XxOtsuB+bstra+W7aw9x9DvkKgdSRw=="
    ),
    "sign_type": "RSA2",
    "timestamp": "2019-03-08 10:20:23",
    "title": "麦禾商城模版",
    "total_price": "0.00",
    "version": "1.0",
}
ALIPAY_SERVICE_MARKET_NOTIFY_SIGN_CONTENT = (
    "app_id=2017122801303261&charset=UTF-8&commodity_order_id=2019030800000018079639&contactor=技术支持测试的公司"
    "&merchant_pid=2088721996721370&method=alipay.open.servicemarket.order.notify&name=技术支持测试的公司"
    "&notify_id=2019030800222102023008121054923345&notify_time=2019-03-08 10:20:23"
    "&notify_type=servicemarket_order_notify&order_item_num=1&order_ticket=29b1c37d99ab48c5bd5bdaeaeaefbB37"
    "&order_time=2019-03-08 10:20:08&phone=17826894615&service_code=58621634&sign_type=RSA2"
    "&timestamp=2019-03-08 10:20:23&title=麦禾商城模版&total_price=0.00&version=1.0"
)

# A real gateway response ("checkResponseSign should work", 从实测中获取) and the key that verifies it:
# test/fixtures/alipay-public-key.pem @ bf1c02613c993f9a0d7580818f4cbc1df031ac87 (a later version of that
# fixture is a different key and does not verify it).
ALIPAY_GATEWAY_PUBLIC_KEY_PEM = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAk7LzhmMa2c4qQd4fqAqenfbuFoA7stPKvoS1LrZEsVnOOGUUjwoa1oU9xsSPjcOWhIer
U/VAN4J95GIAXx59ipcleIyfLn2FhHXPgLJpvo+b2jJFyn/1/DbeJDh+0yDVAOf50Z7HhI0mdUhFMkXlT7BU0ZMtJf/TmISFEfhDU/w6qFd6D42L
97byAkq0K6LroglSVF24GqJEa7hSeUIkZWj7RasykXrc2uVJ1+ejkXE0LyPxa2AHykMGbJLf5SiZvaNzUZgnKIR36mLOHpQ/2JCXxhXZYUWHzy0k
MH54JcUEeksFWBYLGvLjV1phbcUIc3Q76tIuqApY6E222OoZZQIDAQAB
-----END PUBLIC KEY-----"""
ALIPAY_FILE_UPLOAD_METHOD = "alipay.open.file.upload"
ALIPAY_FILE_UPLOAD_NODE = '{"code":"10000","msg":"Success","file_id":"CAxAToWB1JsAAAAAAAAAAAAADgSLAQBr"}'
ALIPAY_FILE_UPLOAD_RESPONSE = (
    '{"alipay_open_file_upload_response":' + ALIPAY_FILE_UPLOAD_NODE + ',"sign":"F+LDzpTNiavn7xVZPGuPCSSVRSmWzJ'
    "Ggtuji6tVELGEaqMaNj0jRKXUEr5nloZJBBmwEnddOyCjjepMmrTKTvoOqQ0Efxpr/R1iEeHTHVbb/Q8TTh6Up5gHJDkILdaWS2q1cWeQ6V"
    "T+HQY9P3WRXS7uhILHuDODIhpAyCu5KhWGt0rMCIG+Im6NODJP2oohtSCtmTFXg58HH587Z2y2bdbjzOxLvzD9IrU1imghXQ2S/Q+wMIvRk"
    '9on6cWnBLkrNvJKapA2ReNGWOwyuASvB9zDVzhMPbR+3mfRGkVDxsq5HYLjBKGskJMXHw0HuugZij6ScRuaLPODhmHwr/pJ9yw=="}'
)

# Modelled on the getSignStr cases of the same test file (normal; whitespace between tokens; a "sign" key
# inside the data): where the signed node text starts and ends.
_IMAGE_NODE = (
    r'{"code":"10000","msg":"Success","image_id":"Zp1Nm6FDTZaEuSSniGd5awAAACMAAQED","image_url":"http:\/\/'
    r'oalipay-dl-django.alicdn.com\/rest\/1.0\/image?fileIds=Zp1Nm6FDTZaEuSSniGd5awAAACMAAQED&zoom=original"}'
)
_IMAGE_NODE_WITH_SIGN_KEY = _IMAGE_NODE.replace('"code":"10000",', '"code":"10000","sign":"xxx",')
_IMAGE_SIGN = (
    "P8xrBWqZCUv11UrEBjhQ4Sk3hyj4607qehO2VbKIS0hWa4U+NeLlOftqTyhGv+x1lzfqN590Y/8CaNIzEEg06FiNWJlUFM/uEFJLzSKGse4M"
    "jHbblpiSzI3eCV5RzxH26wZbEd9wyVYYi0pHFBf35UrBva47g7b5EuKCHfoVA95/zin9fAyb3xhhiHhmfGaWIDV/1LmE2vtqtOHQnISbY/deC"
    "71U614ySZ3YB97ws8npCcCJ+tgZvhHPkMRGvmyYPCRDB/aIN/sKDSLtfPp0u8DxE8pHLvCHm3wR84MQxqNbKgpd8NTKNvH+obELsbCrqPhjW7"
    "qI48634qx6enDupw=="
)
ALIPAY_IMAGE_UPLOAD_METHOD = "alipay.offline.material.image.upload"
ALIPAY_NODE_EXTRACTION_CASES = (
    (
        '{"alipay_offline_material_image_upload_response":' + _IMAGE_NODE + ',"sign":"' + _IMAGE_SIGN + '"}',
        _IMAGE_NODE,
    ),
    (
        '{"alipay_offline_material_image_upload_response"\n        :\n        ' + _IMAGE_NODE
        + ',\n\n          "sign"  :  "' + _IMAGE_SIGN + '"}',
        _IMAGE_NODE,
    ),
    (
        '{"alipay_offline_material_image_upload_response"\n        :\n        ' + _IMAGE_NODE_WITH_SIGN_KEY
        + ',\n\n          "sign"  :  "' + _IMAGE_SIGN + '"}',
        _IMAGE_NODE_WITH_SIGN_KEY,
    ),
)
ALIPAY_IMAGE_SIGN = _IMAGE_SIGN
