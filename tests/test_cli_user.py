"""`python -m lib user add | list | remove | password | import | export`: accounts in the store, from the command line."""
from __future__ import annotations

import io
import os
import stat
import subprocess
import sys

import bcrypt
import pytest

import yaml

from lib import account_store, accounts
from lib.accounts import Role
from lib.cli import EXIT_ERRORS, EXIT_OK, main
from tests.conftest import ALL_PLAN_DIRS, ROOT


@pytest.fixture(autouse=True)
def all_sample_plans(monkeypatch):
    """This module works with both districts: the seed plan and the sample plans are loaded."""
    monkeypatch.setenv("PLANMON_PLAN_DIRS", ALL_PLAN_DIRS)

PASSWORD = "S3cret-pass"
REAL_GENSALT = bcrypt.gensalt


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch):
    monkeypatch.setattr(accounts.bcrypt, "gensalt", lambda: REAL_GENSALT(rounds=4))


@pytest.fixture
def path(tmp_path, monkeypatch):
    """The configured accounts file (imported on first start only); the accounts themselves live in the store."""
    p = tmp_path / "var" / "accounts.yaml"
    monkeypatch.setenv("PLANMON_ACCOUNTS_FILE", str(p))
    monkeypatch.setenv("PLANMON_DB_URL", f"sqlite:///{tmp_path / 'var' / 'planmon.sqlite'}")   # accounts and sessions
    return p


def stored() -> accounts.Accounts:
    from lib.store import open_store
    return account_store.load_accounts(open_store())


def run(args: list[str], stdin: str = "", monkeypatch=None) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["user", *args])


def test_add_reads_the_password_from_stdin_and_stores_only_a_hash(path, monkeypatch, capsys):
    code = run(["add", "Dept06", "--role", "department", "--unit", "区人力资源和社会保障局"], PASSWORD + "\n", monkeypatch)
    assert code == EXIT_OK
    assert capsys.readouterr().out == "已创建账号 dept06(填报单位,区人社局,沙市区),保存在数据库中(只存密码的 bcrypt 哈希)\n"
    account = stored().get("dept06")
    assert (account.role, account.unit, account.name, account.district_id) == (Role.DEPARTMENT, "区人社局", "区人社局", "shashi")
    assert account.check_password(PASSWORD)
    assert not path.exists()                                      # nothing written to the accounts file


def test_list_and_remove(path, monkeypatch, capsys):
    assert run(["add", "leader2", "--role", "leader", "--name", "区领导"], PASSWORD, monkeypatch) == EXIT_OK
    assert run(["add", "planner2", "--role", "planning", "--unit", "区发改局"], PASSWORD, monkeypatch) == EXIT_OK
    capsys.readouterr()
    assert run(["list"], "", monkeypatch) == EXIT_OK
    out = capsys.readouterr().out
    assert out == ("username,name,role,unit,district_id,city_id,demo\nleader2,区领导,leader,,shashi,,\n"
                   "planner2,区发改局,planning,区发改局,shashi,,\n")
    assert "$2" not in out                                            # never prints a hash
    assert run(["remove", "LEADER2"], "", monkeypatch) == EXIT_OK
    assert list(stored().accounts) == ["planner2"]


@pytest.mark.parametrize("args, out, scope", [
    (["add", "d1", "--role", "department", "--unit", "示例一镇", "--district", "shili"],
     "已创建账号 d1(填报单位,示例一镇,示例区)", ("示例一镇", "shili", None)),
    (["add", "d2", "--role", "department", "--unit", "区人社局", "--district", "shili"],
     "已创建账号 d2(填报单位,区人社局,示例区)", ("区人社局", "shili", None)),
    (["add", "c1", "--role", "city", "--city", "jingzhou", "--name", "荆州市发改委"],
     "已创建账号 c1(市级(只读),荆州市)", (None, None, "jingzhou")),
])
def test_add_with_a_district_or_a_city(path, monkeypatch, capsys, args, out, scope):
    assert run(args, PASSWORD, monkeypatch) == EXIT_OK
    assert capsys.readouterr().out.startswith(out + ",保存在数据库中")
    account = stored().get(args[1])
    assert (account.unit, account.district_id, account.city_id) == scope


@pytest.mark.parametrize("args, password, message", [
    (["add", "dept01", "--role", "department"], PASSWORD, "填报单位账号必须绑定一个单位,请选择单位"),
    (["add", "dept01", "--role", "department", "--unit", "区宇宙局"], PASSWORD, "单位“区宇宙局”不在沙市区的规划单位名录中"),
    (["add", "dept01", "--role", "department", "--unit", "示例一镇"], PASSWORD, "单位“示例一镇”不在沙市区的规划单位名录中"),
    (["add", "dept01", "--role", "department", "--unit", "区人社局", "--district", "nowhere"], PASSWORD,
     "区县“nowhere”不在系统中,已载入的区县:shashi、shili"),
    (["add", "boss", "--role", "city"], PASSWORD, "市级账号必须指定所属城市"),
    (["add", "boss", "--role", "city", "--city", "yichang"], PASSWORD, "城市“yichang”不在系统中,已载入规划的城市:jingzhou"),
    (["add", "boss", "--role", "leader", "--city", "jingzhou"], PASSWORD, "领导(只读)账号属于区县,不能指定城市“jingzhou”"),
    (["add", "boss", "--role", "city", "--city", "jingzhou", "--district", "shashi"], PASSWORD, None),   # argparse: one or the other
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
    assert len(stored()) == 0


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
    url = f"sqlite:///{tmp_path / 'planmon.sqlite'}"
    env = {**os.environ, "PLANMON_ACCOUNTS_FILE": str(tmp_path / "accounts.yaml"), "PLANMON_DB_URL": url}
    done = subprocess.run([sys.executable, "-m", "lib", "user", "add", "planner2", "--role", "planning", "--unit", "区发改局"],
                          input=PASSWORD + "\n", capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    from lib.store import open_store
    assert account_store.get_account(open_store(url), "planner2").check_password(PASSWORD)


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
    account = stored().get("leader2")
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
    before = stored()
    capsys.readouterr()
    assert run(args, password, monkeypatch) == EXIT_ERRORS
    assert message in capsys.readouterr().err
    assert stored() == before


# --- import and export ---------------------------------------------------------------------------------------

def test_export_then_import_into_another_database(path, monkeypatch, capsys, tmp_path):
    assert run(["add", "leader2", "--role", "leader", "--name", "区领导"], PASSWORD, monkeypatch) == EXIT_OK
    assert run(["add", "c1", "--role", "city", "--city", "jingzhou", "--name", "荆州市"], PASSWORD, monkeypatch) == EXIT_OK
    out = tmp_path / "backup" / "accounts.yaml"
    capsys.readouterr()
    assert run(["export", str(out)], "", monkeypatch) == EXIT_OK
    assert capsys.readouterr().out == f"已导出 2 个账号到 {out}(只含密码的 bcrypt 哈希,文件权限 0600)\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and PASSWORD.encode() not in out.read_bytes()
    exported = stored().accounts
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert run(["--db", other, "import", str(out)], "", monkeypatch) == EXIT_OK
    assert capsys.readouterr().out == "已从 accounts.yaml 导入 2 个账号\n"
    from lib.store import open_store
    assert account_store.load_accounts(open_store(other)).accounts == exported      # the hashes as they were
    assert run(["--db", other, "import", str(out)], "", monkeypatch) == EXIT_OK
    assert capsys.readouterr().out == "已从 accounts.yaml 导入 0 个账号,2 个与数据库中的相同,未改动\n"


@pytest.mark.parametrize("entry, message", [
    ({"role": "department", "unit": "示例一镇", "district_id": "shashi"}, "单位“示例一镇”不在沙市区的规划单位名录中"),
    ({"role": "city"}, "市级账号必须指定所属城市"),
    ({"role": "leader", "district_id": "nowhere"}, "区县“nowhere”不在系统中"),
])
def test_an_import_refusal_names_the_account_and_stores_nothing(path, monkeypatch, capsys, tmp_path, entry, message):
    file = tmp_path / "in.yaml"
    file.write_text(yaml.safe_dump({"accounts": {"ok": {"name": "好", "role": "leader", "password_hash": "$2b$04$" + "a" * 53},
                                                 "bad": {"name": "坏", "password_hash": "$2b$04$" + "b" * 53, **entry}}},
                                   allow_unicode=True), encoding="utf-8")
    assert run(["import", str(file)], "", monkeypatch) == EXIT_ERRORS
    err = capsys.readouterr().err
    assert err.startswith("账号文件 in.yaml 中的账号 bad 不能导入:") and message in err
    assert "整个文件未导入,数据库未作任何改动" in err
    assert len(stored()) == 0


def test_importing_a_missing_file_is_an_error(path, monkeypatch, capsys, tmp_path):
    assert run(["import", str(tmp_path / "nope.yaml")], "", monkeypatch) == EXIT_ERRORS
    assert "找不到账号文件" in capsys.readouterr().err


def test_the_configured_file_is_imported_on_first_start(path, monkeypatch, capsys, plan):
    """After the upgrade, `user list` shows the accounts of the file the previous release kept."""
    accounts.add_account(path, "dept06", "区人社局", "department", "区人社局", password=PASSWORD, units=plan.units)
    assert run(["list"], "", monkeypatch) == EXIT_OK
    assert capsys.readouterr().out.splitlines()[1:] == ["dept06,区人社局,department,区人社局,shashi,,"]


@pytest.mark.parametrize("only, listed", [
    ([], ["c1", "d1", "leader2"]),
    (["--district", "shili"], ["d1"]),
    (["--district", "shashi"], ["leader2"]),
    (["--city", "jingzhou"], ["c1", "d1", "leader2"]),        # the city account and every district of the city
    (["--city", "yichang"], []),
])
def test_list_one_district_or_city(path, monkeypatch, capsys, only, listed):
    assert run(["add", "leader2", "--role", "leader", "--name", "区领导"], PASSWORD, monkeypatch) == EXIT_OK
    assert run(["add", "d1", "--role", "department", "--unit", "示例一镇", "--district", "shili"], PASSWORD, monkeypatch) == EXIT_OK
    assert run(["add", "c1", "--role", "city", "--city", "jingzhou", "--name", "荆州市"], PASSWORD, monkeypatch) == EXIT_OK
    capsys.readouterr()
    assert run(["list", *only], "", monkeypatch) == EXIT_OK
    assert sorted(line.split(",")[0] for line in capsys.readouterr().out.splitlines()[1:]) == listed
