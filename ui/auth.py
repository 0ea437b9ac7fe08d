"""Sign-in (streamlit-authenticator), server-side sessions and role checks."""
from __future__ import annotations

import threading as _threading

import streamlit as st

from lib import accounts as _acc
from lib import settings
from ui.data import plan, root_store

ACCOUNT_PAGE = "app_pages/account.py"


UPLOAD_PAGE = "app_pages/upload.py"


REVIEW_PAGE = "app_pages/review.py"


_RUN = _threading.local()   # the authenticator built for the current script run (one per run: see sign_in_gate)


@st.cache_resource(show_spinner="正在准备账号…")
def _prepared_accounts(db_url: str, accounts_file: str, demo_mode: bool) -> tuple[_acc.DemoAccount, ...]:
    """Once per process and database: import the configured accounts file when the store has no account yet
    (lib/account_store.py), then in demo mode create the missing demo accounts of every district and city."""
    from lib import account_store
    account_store.import_on_first_start(root_store(), accounts_file)
    return tuple(account_store.ensure_demo_accounts(root_store())) if demo_mode else ()


def _prepare() -> tuple[_acc.DemoAccount, ...]:
    demo_mode = bool(settings.get("demo_mode"))
    try:
        return _prepared_accounts(root_store().url, str(_acc.default_accounts_path()), demo_mode)
    except _acc.AccountError as exc:   # e.g. a malformed accounts file to import: say which and what is wrong
        st.error(exc.message)
        st.stop()


def demo_accounts() -> list[_acc.DemoAccount]:
    """The demo accounts present and still demo (not given a real password since); [] outside demo mode."""
    if not settings.get("demo_mode"):
        return []
    current = accounts()
    return [d for d in _prepare() if (a := current.get(d.username)) is not None and a.demo]


def accounts() -> _acc.Accounts:
    """The accounts in the store, read on every call: an account removed or changed elsewhere (another app
    process, `python -m lib user …`) takes effect on the next run."""
    from lib import account_store
    _prepare()
    return account_store.load_accounts(root_store())


@st.cache_data(show_spinner=False, ttl=60)
def _district_names(db_url: str) -> dict[str, tuple[str, str]]:
    """district_id → (district name, city name); city_id → ("", city name). For labels only."""
    from lib import account_store
    out: dict[str, tuple[str, str]] = {}
    for d in account_store.districts(root_store()).values():
        out[d.district_id] = (d.name, d.city or "")
        if d.city_id:
            out.setdefault(f"city:{d.city_id}", ("", d.city or d.city_id))
    return out


def scope_label(account: _acc.Account) -> str:
    """'沙市区' (a district's account) or '荆州市(全市各区县)' (a city's), with the names from the store."""
    names = _district_names(root_store().url)
    district = names.get(account.district_id or "", ("", ""))[0] or None
    city = names.get(f"city:{account.city_id}", ("", ""))[1] or None
    return _acc.scope_label(account, district, city)


def _authenticator_config() -> dict:
    """Raises AccountError (e.g. no cookie key outside demo mode: nobody can sign in)."""
    return _acc.authenticator_config(accounts(), _acc.cookie_key(_acc.default_accounts_path()))


def _build_authenticator():
    import streamlit_authenticator as stauth
    # login_sleep_time: 0.4.2 sleeps 0.7 s before every un-signed-in run to wait for its cookie component,
    # but it reads the cookie from st.context.cookies (the request headers), so there is nothing to wait for.
    return stauth.Authenticate(**_authenticator_config(), login_sleep_time=0)


def current_account() -> _acc.Account | None:
    """The signed-in account, or None (not signed in, sign-in unavailable, or the account no longer exists)."""
    if getattr(_RUN, "authenticator", True) is None or not st.session_state.get("authentication_status"):
        return None
    return accounts().get(st.session_state.get("username"))


def role_label(account: _acc.Account) -> str:
    """'dept01 · 区发改局 · 填报单位 · 沙市区': username, name, role (unless the name already says it), unit if not
    the name, and the district (or city) the account reaches."""
    parts = [account.username, account.name]
    if account.role.label not in account.name:
        parts.append(account.role.label)
    if account.unit and account.unit not in account.name and account.role is _acc.Role.DEPARTMENT:
        parts.append(account.unit)
    scope = scope_label(account)
    if scope not in account.name:
        parts.append(scope)
    return " · ".join(parts)


# Sign-in and sign-out happen in widget callbacks, which Streamlit runs before the script body. The library's
# cookie component reports the browser's cookies once it has loaded, and that report starts a new run that
# interrupts the current one: a click handled in the body (the library's own login form) was lost whenever
# the report came in while the click's run was still checking the password. The password check and the
# session state stay the library's (AuthenticationController); only the form is ours. The cookie is then
# written (or deleted) by the library's component, rendered on every run until the browser confirms it.
# The session itself lives in the store (lib/sessions.py): the cookie names it, every run checks it is live,
# 退出登录 revokes it, so a copied cookie is signed out; an unreadable cookie is simply no sign-in.
_COOKIE_PENDING = "pm_cookie_pending"   # "set" after sign-in, "delete" after sign-out, until confirmed


_SESSION_ID = "pm_session_id"           # the server-side session this browser session signed in with


# st.context.cookies is what the browser sent when it connected: after the cookie is removed it still shows
# the old one until a reload. A cookie refused once is not checked (and removed) again on every run.
_REFUSED_COOKIE = "pm_refused_cookie"


_SIGN_IN_ERROR = "pm_sign_in_error"


_SIGNED_OUT = "pm_signed_out"           # shows 已退出登录 above the form until the next attempt


LOGIN_USER_KEY, LOGIN_PASSWORD_KEY = "pm_login_user", "pm_login_password"


def _controller():
    from streamlit_authenticator.controllers import AuthenticationController
    return AuthenticationController(_authenticator_config()["credentials"], auto_hash=False)


def _on_sign_in() -> None:
    from streamlit_authenticator.utilities.exceptions import LoginError

    from lib.messages import render
    username = str(st.session_state.get(LOGIN_USER_KEY) or "").strip()
    password = str(st.session_state.get(LOGIN_PASSWORD_KEY) or "")
    st.session_state[LOGIN_PASSWORD_KEY] = ""          # the typed password is not kept in the session
    st.session_state.pop(_SIGN_IN_ERROR, None)
    st.session_state.pop(_SIGNED_OUT, None)
    if not username or not password:
        st.session_state[_SIGN_IN_ERROR] = render("auth.sign_in_incomplete")
        return
    try:
        ok = _controller().login(username, password)
    except (LoginError, _acc.AccountError):
        ok = False
    if ok:
        from sqlalchemy.exc import SQLAlchemyError

        from lib.sessions import start_session
        try:
            st.session_state[_SESSION_ID] = start_session(root_store(), _acc.normalise_username(username),
                                                          _acc.COOKIE_EXPIRY_DAYS)
        except SQLAlchemyError as exc:   # the session cannot be recorded: not signed in, and why
            _sign_out_here()
            st.session_state.pop(_COOKIE_PENDING, None)
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            st.session_state[_SIGN_IN_ERROR] = render("auth.session_failed", detail=detail[0] if detail else type(exc).__name__)
            return
        st.session_state[_COOKIE_PENDING] = "set"
    else:
        st.session_state["authentication_status"] = False
        st.session_state[_SIGN_IN_ERROR] = render("auth.sign_in_failed")


def _on_sign_out() -> None:
    from lib.sessions import end_session
    end_session(root_store(), st.session_state.pop(_SESSION_ID, None))   # every copy of the cookie is signed out
    _sign_out_here()
    st.session_state[_SIGNED_OUT] = True


def _sign_out_here() -> None:
    """Clear this browser session's sign-in (as the library's logout does) and remove the cookie."""
    st.session_state.pop(_SESSION_ID, None)
    for key in ("name", "username", "roles", "email"):
        st.session_state[key] = None
    st.session_state["authentication_status"] = None
    st.session_state["logout"] = True
    st.session_state[_COOKIE_PENDING] = "delete"


def sign_in_form() -> None:
    """The sign-in form (用户名, 密码, 登录) and, after a failed attempt, what went wrong. Stops the page with
    the reason when sign-in is unavailable (e.g. no cookie key outside demo mode)."""
    try:
        _authenticator_config()
    except _acc.AccountError as exc:
        st.error(exc.message)
        st.stop()
    if st.session_state.get(_SIGNED_OUT):
        st.success("已退出登录。")
    with st.form("pm_login"):
        st.subheader("登录")
        st.text_input("用户名", key=LOGIN_USER_KEY, autocomplete="username")
        st.text_input("密码", type="password", key=LOGIN_PASSWORD_KEY, autocomplete="current-password")
        st.form_submit_button("登录", type="primary", on_click=_on_sign_in)
    if error := st.session_state.get(_SIGN_IN_ERROR):
        st.error(error)


def sign_out_button() -> None:
    st.button("退出登录", key="pm_logout", on_click=_on_sign_out)


def _write_cookie(auth) -> None:
    """Render the library's cookie writer (or remover) until the browser confirms (the component's value,
    under the library's fixed keys 'set' / 'delete', is true once it has run)."""
    pending = st.session_state.get(_COOKIE_PENDING)
    if pending is None:
        return
    if st.session_state.get(pending) is True:
        del st.session_state[_COOKIE_PENDING]
    elif pending == "set" and st.session_state.get("authentication_status"):
        _set_session_cookie(auth)
    elif pending == "delete":
        auth.cookie_controller.delete_cookie()
    else:   # signed out again before the cookie was written: nothing left to write
        del st.session_state[_COOKIE_PENDING]


def _served_over_https() -> bool:
    """The browser's address is https (directly, or behind a proxy that says so): the cookie gets Secure."""
    url = str(getattr(st.context, "url", "") or "")
    proto = str(st.context.headers.get("X-Forwarded-Proto", "") or "")
    return url.startswith("https://") or proto.split(",")[0].strip().lower() == "https"


def _set_session_cookie(auth) -> None:
    """The library's cookie component writes our cookie: it names the server-side session (lib/sessions.py)."""
    from datetime import datetime

    from lib.sessions import encode_cookie, session_expiry
    session_id = st.session_state.get(_SESSION_ID)
    expires = session_expiry(root_store(), session_id) if session_id else None
    if expires is None:   # no session on record (cannot happen after _on_sign_in): write nothing
        del st.session_state[_COOKIE_PENDING]
        return
    token = encode_cookie(_acc.cookie_key(_acc.default_accounts_path()), st.session_state["username"], session_id, expires)
    auth.cookie_controller.cookie_model.cookie_manager.set(
        _acc.COOKIE_NAME, token, expires_at=datetime.fromtimestamp(expires), secure=_served_over_https() or None,
        same_site="strict")


def _session_check() -> None:
    """Every run: a signed-in browser session whose server-side session ended (退出登录 elsewhere with a
    copy of the cookie, a password change, expiry) is signed out here too."""
    from lib.sessions import session_live
    if st.session_state.get("authentication_status") and not session_live(
            root_store(), st.session_state.get(_SESSION_ID), st.session_state.get("username")):
        _sign_out_here()


def _restore_from_cookie(cookie: object) -> None:
    """A cookie naming a live session of an existing account signs this browser session in; any other
    cookie (forged, another algorithm, garbage, expired, revoked) is removed and the visitor stays out."""
    from lib.sessions import decode_cookie, session_live
    try:
        key = _acc.cookie_key(_acc.default_accounts_path())
    except _acc.AccountError:
        return
    claims = decode_cookie(key, cookie)
    account = accounts().get(claims.username) if claims else None
    if claims is None or account is None or not session_live(root_store(), claims.session_id, account.username):
        st.session_state[_REFUSED_COOKIE] = cookie
        st.session_state[_COOKIE_PENDING] = "delete"
        return
    st.session_state.update({"email": account.email, "name": account.name, "roles": [account.role.value],
                             "authentication_status": True, "username": account.username,
                             _SESSION_ID: claims.session_id})


def sign_in_gate() -> _acc.Account | None:
    """Called by dashboard.py on every run, before the page: restores a session from the sign-in cookie,
    writes or removes the cookie after signing in or out, shows who is signed in in the sidebar."""
    cookie = st.context.cookies.get(_acc.COOKIE_NAME)
    has_cookie = isinstance(cookie, str)   # (AppTest's stand-in is no str)
    _session_check()
    nothing_to_restore = not has_cookie or cookie == st.session_state.get(_REFUSED_COOKIE)
    if not st.session_state.get("authentication_status") and _COOKIE_PENDING not in st.session_state and nothing_to_restore:
        # A visitor with no (usable) sign-in cookie: nothing to restore. Building the authenticator would render its
        # cookie component on every page (a second run once it reports, before the charts settle).
        _RUN.authenticator = None
        st.sidebar.page_link(ACCOUNT_PAGE, label="登录", icon=":material/login:")
        return None
    try:
        _RUN.authenticator = _build_authenticator()
    except _acc.AccountError as exc:   # e.g. no cookie key outside demo mode: nobody can sign in, browsing goes on
        _RUN.authenticator = None
        st.sidebar.error(exc.message)
        return None
    if (not st.session_state.get("authentication_status") and has_cookie and st.session_state.get(_COOKIE_PENDING) is None
            and cookie != st.session_state.get(_REFUSED_COOKIE)):
        _restore_from_cookie(cookie)   # cookie → session (our check, not the library's: see lib/sessions.py)
    _write_cookie(_RUN.authenticator)
    account = current_account()
    with st.sidebar:
        if account:
            st.caption(f"已登录:{role_label(account)}")
        else:
            st.page_link(ACCOUNT_PAGE, label="登录", icon=":material/login:")
    return account


def public_browsing_gate(page) -> None:
    """With public_browsing off, every page but sign-in needs a signed-in account that may read the plan's
    district (its own district; a city account: every district of its city)."""
    if settings.get("public_browsing") or page.url_path == "account":
        return
    account = current_account()
    if account is None:
        st.info("本看板需要登录后查看。请先登录。")
        st.page_link(ACCOUNT_PAGE, label="前往登录", icon=":material/login:")
        st.stop()
    config = plan().config
    if not _acc.may_read_district(account, config.district_id, config.city_id or None):
        _district_refusal(account, "查看")


def _district_refusal(account: _acc.Account, verb: str) -> None:
    from lib.messages import render
    config = plan().config
    st.warning(render("auth.district_denied", mine=scope_label(account), theirs=config.district or config.district_id,
                      verb=verb))
    st.page_link(ACCOUNT_PAGE, label="切换账号", icon=":material/login:")
    st.stop()


def require_role(*roles: _acc.Role) -> _acc.Account:
    """The signed-in account if its role is one of `roles`; otherwise a Chinese refusal and st.stop()."""
    from lib.messages import render
    account = current_account()
    if account is None:
        st.warning(render("auth.sign_in_required") + ":本页面只对登录用户开放。")
        st.page_link(ACCOUNT_PAGE, label="前往登录", icon=":material/login:")
        st.stop()
    if account.role not in roles:
        if account.role is _acc.Role.LEADER:
            st.warning(render("auth.read_only") + "。")
        elif _acc.Role.PLANNING in roles and _acc.Role.DEPARTMENT not in roles:
            st.warning(render("auth.review_denied") + f"。当前账号:{role_label(account)}。")
        else:
            st.warning(f"当前账号({role_label(account)})无权使用本页面。")
        st.page_link(ACCOUNT_PAGE, label="切换账号", icon=":material/login:")
        st.stop()
    if not _acc.may_upload_to(account, plan().config.district_id):   # upload and review: own district only
        _district_refusal(account, "上传或审核")
    return account


def require_sign_in(what: str) -> _acc.Account:
    """Any signed-in account, else a Chinese prompt with the sign-in link and st.stop(). For work that costs
    the server (building the briefing pack) rather than a permission of one role."""
    account = current_account()
    if account is None:
        st.info(f"{what}需要登录。请先登录(任何账号均可)。")
        st.page_link(ACCOUNT_PAGE, label="前往登录", icon=":material/login:")
        st.stop()
    return account
