"""Settings, declared once as data: name, default, help. Each can be overridden by an environment
variable PLANMON_<NAME upper>. A test checks every setting is documented in the README."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "PLANMON_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("plan_dir", str(PROJECT_ROOT / "data"), "规划文件目录(indicators.csv、tasks.csv、units.csv、plan.toml)"),
    Setting("plan_dirs", "data,data/plans/shashi-15,data/plans/shili-15",
            "启动时载入数据库的规划目录(逗号分隔,相对项目根目录);第一个是默认规划,旧数据库的数据升级时归入它"),
    Setting("sample_progress", str(PROJECT_ROOT / "data" / "progress.xlsx"), "首次启动时导入数据库的示例进度工作簿"),
    Setting("db_url", "", "SQLAlchemy 数据库地址;留空则使用 var/planmon.sqlite"),
    Setting("tolerance", 0.05, "δ:与时间进度比较的容差(五年路径的份额)"),
    Setting("tolerance_pp", 0.5, "δpp:同步类指标的容差(百分点)"),
    Setting("report_deadline_days", 15, "季度结束后多少天内报送算按时"),
    Setting("public_browsing", True, "未登录也可浏览图表"),
    Setting("auto_adopt", False, "上传即自动采纳(否则由区发改局审核)"),
    Setting("demo_mode", True, "演示模式:创建演示账号"),
    Setting("accounts_file", str(PROJECT_ROOT / "var" / "accounts.yaml"), "账号文件(YAML,只存密码的 bcrypt 哈希,权限 0600;不要提交到 git):数据库中还没有账号时导入一次,此后账号以数据库为准"),
    Setting("cookie_key", "", "登录 cookie 的签名密钥;留空时演示模式自动生成并保存在账号文件旁的 cookie.key(权限 0600),非演示模式必须设置"),
    Setting("max_upload_mb", 10, "上传文件大小上限(MB)"),
    Setting("max_unzipped_mb", 100, "工作簿解压后总大小上限(MB)"),
    Setting("max_zip_ratio", 200, "工作簿单个文件最大压缩比"),
    Setting("server_address", "127.0.0.1", "make run 监听的地址;只在本机可访问。对局域网提供服务时设为 0.0.0.0 或本机的网络地址"),
    Setting("validate_budget_s", 20, "校验一个上传文件的时间上限(CPU 秒);超时则请用户拆分文件"),
    Setting("reader_memory_mb", 1536, "读取上传文件的独立进程可用的内存上限(MB,地址空间)"),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def get(name: str) -> Any:
    setting = _BY_NAME[name]
    raw = os.environ.get(setting.env)
    return setting.default if raw is None or raw == "" else _coerce(raw, setting.default)
