"""Why an upload was refused. Codes are stable API: the mini-program switches on them."""

from __future__ import annotations

from server.errors import BadRequest, PayloadTooLarge, Unprocessable, UnsupportedMediaType


class EmptyFile(BadRequest):
    code = "empty_file"
    default_message = "文件为空，请重新选择"


class FileTooLarge(PayloadTooLarge):
    code = "file_too_large"
    default_message = "文件过大，请压缩后重新上传"


class CaseQuotaExceeded(PayloadTooLarge):
    code = "case_total_too_large"
    default_message = "本次办件上传的材料总量已达上限"


class UnsupportedFileType(UnsupportedMediaType):
    code = "unsupported_file_type"
    default_message = "不支持的文件类型，请上传 JPG、PNG、WebP、HEIC 图片或 PDF 文件"


class PolyglotFile(Unprocessable):
    code = "polyglot_file"
    default_message = "文件中混有其他格式的数据，请重新拍摄或导出后上传"


class TruncatedFile(Unprocessable):
    code = "truncated_file"
    default_message = "文件不完整，请重新上传"


class CorruptFile(Unprocessable):
    code = "corrupt_file"
    default_message = "文件已损坏，无法读取"


class ImageTooLarge(Unprocessable):
    code = "image_too_large"
    default_message = "图片像素过多，请缩小后重新上传"


class PdfEncrypted(Unprocessable):
    code = "pdf_encrypted"
    default_message = "PDF 文件已加密，请上传未加密的文件"


class PdfActiveContent(Unprocessable):
    code = "pdf_active_content"
    default_message = "PDF 文件含有脚本或附件，请另存为普通 PDF 后上传"


class PdfTooManyPages(Unprocessable):
    code = "pdf_too_many_pages"
    default_message = "PDF 页数过多，请拆分后上传"


class PdfTooComplex(Unprocessable):
    code = "pdf_too_complex"
    default_message = "PDF 文件结构过于复杂，请另存为普通 PDF 后上传"


class ProcessingTimeout(Unprocessable):
    code = "processing_timeout"
    default_message = "文件处理超时，请换一个文件重试"
