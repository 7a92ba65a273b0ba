"""Local simulators of WeChat and Alipay, mounted under /_sandbox in sandbox mode only."""
