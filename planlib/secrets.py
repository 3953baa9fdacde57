"""Database credentials: refuse them in a params URL, strip them from anything written.

A password comes only from the environment variable named by ``data.password_env``
(Kedro's rule: credentials never in the repository), so it reaches no notebook or file.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

# query-string keys that carry a credential (matched after percent-decoding, any case)
_SECRET_KEY = re.compile(r"pass|pwd|secret|token|credential|api_?key", re.IGNORECASE)
_ADVICE = "name an environment variable holding it in data.password_env instead"


def find_secret_in_url(url: str) -> str | None:
    """Where ``url`` holds a credential (``"the user part"``, ``"the query string"``), else None.

    The URL is parsed the way SQLAlchemy parses it (a password may hold ``/`` or ``@``),
    and every part is percent-decoded until it stops changing, so no encoding hides it.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        # not parseable: look at the raw text, never echo it
        return _find_in_text(url)
    if parsed.password is not None:
        return "the user part (user:password@)"
    if parsed.username is not None and ":" in _decode(parsed.username):
        return "the user part (an encoded ':' before the host)"
    for key, values in parsed.query.items():
        if _SECRET_KEY.search(_decode(key)):
            return f"the query string (key '{_decode(key)}')"
        for value in values if isinstance(values, tuple) else (values,):
            if _SECRET_KEY.search(_decode(str(value)).split("=", 1)[0]) and "=" in _decode(str(value)):
                return "the query string (an encoded key=value pair)"
    return _find_in_text(url)


def check_sql_url(url: str) -> None:
    """Raise ``ValueError`` (one line, no URL echoed) when ``url`` holds a credential."""
    where = find_secret_in_url(url)
    if where is not None:
        raise ValueError(f"data.url must not hold a password (found in {where}); {_ADVICE}")


def redact_url(url: str) -> str:
    """``url`` without user name, password or credential-like query keys (for manifests and logs)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return "(unparseable URL withheld)"
    query = {k: v for k, v in parsed.query.items() if not _SECRET_KEY.search(_decode(k))}
    clean = parsed.set(query=query)._replace(username=None, password=None)  # set() ignores None
    return clean.render_as_string(hide_password=True)


def _decode(text: str) -> str:
    """Percent-decode until stable (``%2570`` -> ``%70`` -> ``p``)."""
    for _ in range(10):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


def _find_in_text(url: str) -> str | None:
    """Fallback on raw text: ``scheme://user:pw@`` or a ``password=`` pair anywhere."""
    text = _decode(url)
    authority = text.split("://", 1)[-1]
    if "@" in authority and ":" in authority.rsplit("@", 1)[0]:
        return "the user part (user:password@)"
    if re.search(r"(?:^|[?&;])[^=&;]*(?:pass|pwd|secret|token)[^=&;]*=", text, re.IGNORECASE):
        return "the query string"
    return None
