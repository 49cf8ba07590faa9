"""Pages a browser gets instead of raw JSON: the login page (paste a token, or open the link an
administrator sent) and an error page in Chinese with a way back. API clients keep JSON."""
from __future__ import annotations

from html import escape

from starlette.requests import Request

_STYLE = """<style>body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;font-size:20px;margin:3em;
color:#212121;max-width:48em}h1{color:#b71c1c}code{background:#f5f5f5;padding:.1em .3em}
input{font-size:1em;padding:.3em .5em;width:24em}button{font-size:1em;padding:.3em 1em;background:#b71c1c;
color:#fff;border:0;border-radius:4px}a{color:#b71c1c}</style>"""

LOGIN_PAGE = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>党建图谱 · 需要令牌</title>
{_STYLE}</head><body>
<h1>党建图谱：需要访问令牌</h1>
<p>请用管理员发给您的链接打开（链接末尾带有 <code>?token=…</code>），或把令牌粘贴在这里：</p>
<form method="get"><input name="token" type="password" placeholder="tupu_…" aria-label="访问令牌" required>
<button type="submit">进入</button></form>
<p>管理员可运行 <code>tupu token create --role viewer --scope 组织或区划的名称</code> 生成令牌；
演示环境（<code>make demo</code>）启动时会打印一个可直接打开的链接。</p></body></html>"""

_TITLES = {403: "权限不足", 404: "未找到", 409: "名称对应多个实体", 413: "上传过大", 422: "请求有误",
           429: "请稍后再试", 503: "服务暂时不可用"}


def wants_page(request: Request) -> bool:
    """A browser navigating (it asks for HTML), not an API client or a script's fetch."""
    return "text/html" in request.headers.get("accept", "")


def error_page(status: int, message: str, candidates: list[dict[str, str | None]] | None = None) -> str:
    title = _TITLES.get(status, "出错了")
    listed = ""
    if candidates:
        listed = "<ul>" + "".join(
            f'<li>{escape(c["name"] or "")}（{escape(c["kind"] or "")}，{escape(c["code"] or "")}'
            f'{"，" + escape(c.get("region") or "") if c.get("region") else ""}）</li>' for c in candidates) + "</ul>"
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>党建图谱 · {title}</title>'
            f"{_STYLE}</head><body><h1>{title}</h1><p>{escape(message)}</p>{listed}"
            '<p><a href="javascript:history.back()">返回上一页</a> · <a href="/">回到首页</a></p></body></html>')
