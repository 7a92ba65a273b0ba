"""Progress messages: the case outbox, its relay, consents, and delivery through WeChat and Alipay."""
