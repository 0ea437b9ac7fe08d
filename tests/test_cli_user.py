"""`python -m lib user add | list | remove`: accounts for signing in, created from the command line."""
from __future__ import annotations

import io
import os
import stat
import subprocess
import sys

import bcrypt
import pytest

from lib import accounts
from lib.accounts import Role, load_accounts
from lib.cli import EXIT_ERRORS, EXIT_OK, main
from tests.conftest import ROOT

PASSWORD = "S3cret-pass"
REAL_GENSALT = bcrypt.gensalt


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch):
    monkeypatch.setattr(accounts.bcrypt, "gensalt", lambda: REAL_GENSALT(rounds=4))


@pytest.fixture
def path(tmp_path, monkeypatch):
    p = tmp_path / "var" / "accounts.yaml"
    monkeypatch.setenv("PLANMON_ACCOUNTS_FILE", str(p))
    monkeypatch.setenv("PLANMON_DB_URL", f"sqlite:///{tmp_path / 'var' / 'planmon.sqlite'}")   # sessions end there
    return p


def run(args: list[str], stdin: str = "", monkeypatch=None) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["user", *args])


def test_add_reads_the_password_from_stdin_and_stores_only_a_hash(path, monkeypatch, capsys):
    code = run(["add", "Dept06", "--role", "department", "--unit", "区人力资源和社会保障局"], PASSWORD + "\n", monkeypatch)
    assert code == EXIT_OK
    assert capsys.readouterr().out == f"已创建账号 dept06(填报单位,区人社局),密码哈希保存在 {path}\n"
    account = load_accounts(path).get("dept06")
    assert (account.role, account.unit, account.name) == (Role.DEPARTMENT, "区人社局", "区人社局")
    assert account.check_password(PASSWORD)
    assert PASSWORD.encode() not in path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_list_and_remove(path, monkeypatch, capsys):
    assert run(["add", "leader2", "--role", "leader", "--name", "区领导"], PASSWORD, monkeypatch) == EXIT_OK
    assert run(["add", "planner2", "--role", "planning", "--unit", "区发改局"], PASSWORD, monkeypatch) == EXIT_OK
    capsys.readouterr()
    assert run(["list"], "", monkeypatch) == EXIT_OK
    out = capsys.readouterr().out
    assert out == "username,name,role,unit\nleader2,区领导,leader,\nplanner2,区发改局,planning,区发改局\n"
    assert "$2" not in out                                            # never prints a hash
    assert run(["remove", "LEADER2"], "", monkeypatch) == EXIT_OK
    assert list(load_accounts(path).accounts) == ["planner2"]


@pytest.mark.parametrize("args, password, message", [
    (["add", "dept01", "--role", "department"], PASSWORD, "填报单位账号必须绑定一个单位,请选择单位"),
    (["add", "dept01", "--role", "department", "--unit", "区宇宙局"], PASSWORD, "单位“区宇宙局”不在单位名录中"),
    (["add", "dept01", "--role", "department", "--unit", "区人社局"], "short", "密码至少需要 8 个字符"),
    (["add", "dept01", "--role", "department", "--unit", "区人社局"], "", "密码至少需要 8 个字符"),
    (["add", "-bad", "--role", "leader"], PASSWORD, None),                       # argparse: not a username
    (["add", "x", "--role", "leader"], PASSWORD, "用户名“x”不合规"),
    (["remove", "nobody"], "", "账号“nobody”不存在"),
])
def test_refusals(path, monkeypatch, capsys, args, password, message):
    if message is None:
        with pytest.raises(SystemExit) as exc:
            run(args, password, monkeypatch)
        assert exc.value.code == 2
        return
    assert run(args, password, monkeypatch) == EXIT_ERRORS
    assert message in capsys.readouterr().err
    assert not path.exists() or len(load_accounts(path)) == 0


def test_duplicate_username_is_refused(path, monkeypatch, capsys):
    assert run(["add", "leader2", "--role", "leader"], PASSWORD, monkeypatch) == EXIT_OK
    assert run(["add", "leader2", "--role", "leader"], PASSWORD, monkeypatch) == EXIT_ERRORS
    assert "用户名“leader2”已存在,请换一个" in capsys.readouterr().err


def test_unknown_role_is_an_argparse_error(path, monkeypatch, capsys):
    with pytest.raises(SystemExit) as exc:
        run(["add", "boss", "--role", "admin"], PASSWORD, monkeypatch)
    assert exc.value.code == 2 and "invalid choice" in capsys.readouterr().err


def test_the_real_command_line(tmp_path):
    """As the README shows it: `echo PASSWORD | python -m lib user add …` from the project root."""
    env = {**os.environ, "PLANMON_ACCOUNTS_FILE": str(tmp_path / "accounts.yaml")}
    done = subprocess.run([sys.executable, "-m", "lib", "user", "add", "planner2", "--role", "planning", "--unit", "区发改局"],
                          input=PASSWORD + "\n", capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert load_accounts(tmp_path / "accounts.yaml").get("planner2").check_password(PASSWORD)


def test_password_change_ends_every_session_of_the_account(path, monkeypatch, capsys):
    from lib import sessions
    from lib.store import open_store
    assert run(["add", "leader2", "--role", "leader", "--name", "区领导"], PASSWORD, monkeypatch) == EXIT_OK
    store = open_store()
    signed_in = [sessions.start_session(store, "leader2") for _ in range(2)]
    other = sessions.start_session(store, "planner")
    capsys.readouterr()
    assert run(["password", "leader2"], "N3w-password\n", monkeypatch) == EXIT_OK
    assert capsys.readouterr().out == "已修改账号 leader2 的密码,结束其 2 个登录会话(需用新密码重新登录)\n"
    account = load_accounts(path).get("leader2")
    assert account.check_password("N3w-password") and not account.check_password(PASSWORD)
    assert [sessions.session_live(store, s, "leader2") for s in signed_in] == [False, False]
    assert sessions.session_live(store, other, "planner")


def test_removing_an_account_ends_its_sessions(path, monkeypatch, capsys):
    from lib import sessions
    from lib.store import open_store
    assert run(["add", "leader2", "--role", "leader", "--name", "区领导"], PASSWORD, monkeypatch) == EXIT_OK
    sid = sessions.start_session(open_store(), "leader2")
    capsys.readouterr()
    assert run(["remove", "leader2"], "", monkeypatch) == EXIT_OK
    assert capsys.readouterr().out == "已删除账号 leader2,结束其 1 个登录会话\n"
    assert not sessions.session_live(open_store(), sid, "leader2")   # re-adding leader2 would not revive it


@pytest.mark.parametrize("args,password,message", [
    (["password", "nobody"], PASSWORD, "账号“nobody”不存在"),
    (["password", "leader2"], "short", "密码至少需要 8 个字符"),
])
def test_password_refusals(path, monkeypatch, capsys, args, password, message):
    assert run(["add", "leader2", "--role", "leader", "--name", "区领导"], PASSWORD, monkeypatch) == EXIT_OK
    before = path.read_bytes()
    capsys.readouterr()
    assert run(args, password, monkeypatch) == EXIT_ERRORS
    assert message in capsys.readouterr().err
    assert path.read_bytes() == before
