"""Benchmark: import 100,000 members (29 columns, as a 智慧团建 export) through the pipeline,
against a lower bound measured in the same run: read the file with calamine and COPY the same
rows raw into the same table (people_person, same indexes).

Runs in a scratch database (<name>_bench on the project's server), created and dropped here.
Prints one line per figure: each phase (read, validate, pinyin, encrypt, write, history, audit),
the total, the ratio to the lower bound, peak memory. Goal: ≤ 3× the lower bound, ≤ 400 MB.

    .venv/bin/python bench/import_members.py [rows]
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
TOWNS, BRANCHES_PER_TOWN = 10, 20
TIMES: dict[str, float] = defaultdict(float)


def timed(label: str, func):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            TIMES[label] += time.perf_counter() - started
    return wrapper


def scratch_database() -> str:
    from tuanwu.demo.management.commands.demo_check import recreate_database

    db = connections["default"]
    name = db.settings_dict["NAME"] + "_bench"
    db.close()
    recreate_database(db.settings_dict, name)
    db.settings_dict["NAME"] = name
    call_command("migrate", interactive=False, verbosity=0)
    return name


def drop_database(name: str) -> None:
    import psycopg

    db = connections["default"]
    db.close()
    params = {k: v for k, v in db.settings_dict.get("OPTIONS", {}).items()
              if k not in {"isolation_level", "server_side_binding", "assume_role", "pool"}}
    for key in ("HOST", "PORT", "USER", "PASSWORD"):
        if db.settings_dict.get(key):
            params[{"HOST": "host", "PORT": "port", "USER": "user", "PASSWORD": "password"}[key]] = db.settings_dict[key]
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_tree(actor):
    from tuanwu.organisations import actions

    city = actions.create_unit(actor=actor, parent=None, name="团乌鲁木齐市委", kind="league_city")
    county = actions.create_unit(actor=actor, parent=city, name="团基准县委", kind="league_county", division_code="650121")
    names = []
    for t in range(1, TOWNS + 1):
        town = actions.create_unit(actor=actor, parent=county, name=f"第{t}镇团委", kind="committee", sector="rural")
        for b in range(1, BRANCHES_PER_TOWN + 1):
            actions.create_unit(actor=actor, parent=town, name=f"第{b}村团支部", kind="branch", sector="rural")
            names.append(f"第{t}镇团委/第{b}村团支部")
    return county, names


def write_file(path: Path, branch_names: list[str], today: datetime.date) -> None:
    import xlsxwriter

    from tuanwu.membership.testing import NATIONAL_HEADERS, member_row

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("团员名册")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for c, header in enumerate(NATIONAL_HEADERS):
        sheet.write_string(0, c, header)
    for i in range(ROWS):
        row = member_row(i, branch=branch_names[i % len(branch_names)], today=today)
        row["姓名"] = varied_name(i)
        for c, header in enumerate(NATIONAL_HEADERS):
            value = row[header]
            if value in ("", None):
                continue
            if isinstance(value, datetime.date):
                sheet.write_datetime(i + 1, c, datetime.datetime.combine(value, datetime.time()), date_format)
            elif isinstance(value, int):
                sheet.write_number(i + 1, c, value)
            else:
                sheet.write_string(i + 1, c, value)
    workbook.close()


# The test helper cycles through a few dozen names, which would let the pinyin cache answer
# almost every row; a real county list repeats names far less. 82 surnames × two given-name
# characters from 52, spread by a multiplicative hash: 90 % of the rows distinct, every tenth row
# one of the helper's common names.
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文斌宇浩凯琳雪梅琴云飞婷宁晨欣怡佳俊峰波"


def varied_name(i: int) -> str:
    from tuanwu.membership.testing import NAMES

    if i % 10 == 0:
        return NAMES[(i // 10) % len(NAMES)]
    h = (i * 2654435761) % (len(SURNAMES) * len(GIVEN) * len(GIVEN))
    h, surname = divmod(h, len(SURNAMES))
    second, first = divmod(h, len(GIVEN))
    return SURNAMES[surname] + GIVEN[first] + GIVEN[second]


def lower_bound(path: Path, branch_ids: dict[str, int]) -> tuple[float, float]:
    """Read with calamine, COPY the raw values into people_person; returns (read, copy) seconds."""
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    workbook = CalamineWorkbook.from_path(str(path))
    rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    read = time.perf_counter() - started
    headers = rows[0]
    col = {h: i for i, h in enumerate(headers)}
    now = timezone.now()
    columns = ("name", "name_pinyin", "gender", "ethnicity", "birth_date", "id_number_encrypted", "id_number_index",
               "id_last4_index", "student_number", "phone_encrypted", "phone_index", "phone_last4_index", "education",
               "occupation", "political_status", "guardian_name", "guardian_phone_encrypted", "unit_id", "is_sample",
               "created_at", "updated_at")
    started = time.perf_counter()
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY people_person ({', '.join(columns)}) FROM STDIN") as copy:
        for cells in rows[1:]:
            number = str(cells[col["身份证号码"]])
            phone = str(cells[col["手机号码"]] or "")
            copy.write_row((
                cells[col["姓名"]], "", cells[col["性别"]], cells[col["民族"]], cells[col["出生日期"]], number, number,
                number[-4:], "", phone, phone, phone[-4:], cells[col["学历"]], cells[col["职业"]], cells[col["政治面貌"]],
                "", "", branch_ids[cells[col["所在团支部"]]], False, now, now,
            ))
    copy_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE people_person CASCADE")
    return read, copy_seconds


def instrument() -> None:
    """Attribute time to phases by wrapping the functions each phase runs."""
    from django.db.backends import utils

    from tuanwu.core import crypto, references
    from tuanwu.core import imports as pipeline
    from tuanwu.membership import staging
    from tuanwu.people import bulk

    pipeline._open_sheets = timed("read", pipeline._open_sheets)
    references.BulkInsert.enforce = timed("foreign keys", references.BulkInsert.enforce)
    pipeline.validate = timed("validate+read", pipeline.validate)
    # The check stages each clean batch from inside validate: pinyin, encryption and the COPY,
    # or, from TUANWU_IMPORT_PARALLEL_ROWS rows on, only the hand-off to the staging helper.
    staging.STAGING.stage = timed("stage", staging.STAGING.stage)
    staging.search_text = timed("pinyin", staging.search_text)
    protected = timed("encrypt", bulk.protected_columns)
    inside = [False]

    def protected_columns(*args, **kwargs):
        inside[0] = True
        try:
            return protected(*args, **kwargs)
        finally:
            inside[0] = False

    bulk.protected_columns = protected_columns
    # The ID number's blind index is computed in validate (for the duplicate checks): filed
    # under encrypt, like the indexes computed while staging.
    blind_index = crypto.FieldCipher.blind_index
    timed_index = timed("id index", blind_index)
    crypto.FieldCipher.blind_index = lambda *a, **k: blind_index(*a, **k) if inside[0] else timed_index(*a, **k)

    # The staging helper is a forked process: the wrappers above run there too, into its copy of
    # TIMES, which it sends back with its answer; finish() keeps the answer for the report.
    helper_main = staging._helper_main

    def instrumented_helper(pipe, job_id):
        before = dict(TIMES)

        class Answering:
            recv = staticmethod(pipe.recv)

            @staticmethod
            def send(answer):
                if isinstance(answer, dict) and "error" not in answer:
                    answer = {**answer, "times": {k: v - before.get(k, 0.0) for k, v in TIMES.items()}}
                pipe.send(answer)

        helper_main(Answering(), job_id)

    staging._helper_main = instrumented_helper
    finish = staging.STAGING.finish

    def finish_and_keep(ctx, keep):
        finish(ctx, keep)
        HELPER.update(ctx.state.get("staging_helper_figures") or {})

    staging.STAGING.finish = timed("helper wait", finish_and_keep)
    # The staged commit is a handful of statements: each is filed under the table it writes.
    original_execute = utils.CursorWrapper.execute
    tables = (("INSERT INTO \"people_person\"", "write"), ("INSERT INTO \"membership_membership\"", "write"),
              ("INSERT INTO \"membership_membershipevent\"", "history"), ("INSERT INTO core_auditevent", "audit"),
              ("DELETE FROM membership_stagedmember", "staging clean-up"))

    def execute(self, sql, params=None):
        label = next((label for prefix, label in tables if str(sql).startswith(prefix)), None)
        if label is None:
            return original_execute(self, sql, params)
        return timed(label, original_execute)(self, sql, params)

    utils.CursorWrapper.execute = execute

    # A large commit writes the audit trail on a second connection (core.companion), beside the
    # registry rows: its statements do not pass through Django's cursor. What the commit waited
    # for is its join; how long the companion itself ran is kept for the report.
    from tuanwu.core import companion

    join = companion.Companion.join

    def join_and_keep(self):
        try:
            return join(self)
        finally:
            COMPANION.update(seconds=self.seconds, prepared=self.prepared)

    companion.Companion.join = timed("audit wait", join_and_keep)


HELPER: dict = {}
COMPANION: dict = {}


def main() -> None:
    from tuanwu.accounts.models import User
    from tuanwu.organisations.models import Unit

    settings.TUANWU_IMPORT_MAX_BYTES = 200 * 1024 * 1024
    name = scratch_database()
    try:
        actor = User.objects.create_superuser("bench", password=None)
        county, branch_names = build_tree(actor)
        paths = {u.path: u for u in Unit.objects.all()}
        branch_ids = {}
        for unit in paths.values():
            if unit.kind == "branch":
                branch_ids[f"{paths[unit.path[:-Unit.steplen]].name}/{unit.name}"] = unit.pk
        today = timezone.localdate()
        path = Path(settings.UPLOAD_DIR).parent / f"bench_members_{ROWS}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        # In a child too: the parent stays small, so the children below do not inherit its pages.
        in_child(lambda: write_file(path, branch_names, today))
        print(f"生成工作簿（{ROWS} 行 × 29 列，{path.stat().st_size / 1048576:.1f} MB）：{time.perf_counter() - started:.2f} s")

        # Each measured step runs in a forked child, so its peak memory (os.wait4's rusage) is
        # its own and not the high-water mark of whatever this process did before.
        print(f"主进程常驻内存（fork 前）：{current_rss_mb():.0f} MB")
        (read, copy), bound_peak = in_child(lambda: lower_bound(path, branch_ids))
        bound = read + copy
        print(f"下限 读取（calamine）：{read:.2f} s")
        print(f"下限 COPY 原始数据到 people_person：{copy:.2f} s")
        print(f"下限 合计：{bound:.2f} s")

        figures, import_peak = in_child(lambda: run_import(path, actor, county))
        for label, value in figures["lines"]:
            print(f"{label}{value}")
        total, commit_seconds = figures["total"], figures["commit"]
        print(f"导入合计（上传 + 校验 + 导入）：{total:.2f} s，{ROWS / total:,.0f} 行/秒")
        print(f"与下限之比：{total / bound:.2f}×（目标 ≤ 3×）")
        print(f"仅导入一步（commit，含复核）与下限之比：{commit_seconds / bound:.2f}×")
        helper = figures["helper"]
        if helper:
            # The staging helper runs beside the checking process: the peak is that of the two
            # together, sampled (see MemorySampler).
            print(f"峰值内存（导入进程常驻 + 暂存助手私有，每 20 ms 采样之和的最大值）：{figures['sampled_peak']:.0f} MB"
                  f"（目标 ≤ 400 MB）；导入进程 ru_maxrss {figures['main_peak']:.0f} MB，助手私有最多 "
                  f"{figures['helper_private_peak']:.0f} MB，助手常驻 {helper['peak_mb']:.0f} MB（含共享页）；"
                  f"下限子进程：{bound_peak:.0f} MB")
        else:
            print(f"峰值内存（导入子进程 ru_maxrss）：{import_peak:.0f} MB（目标 ≤ 400 MB）；"
                  f"下限子进程：{bound_peak:.0f} MB")
        from tuanwu.people.models import Person

        print(f"写入人员：{Person.objects.count()}，结果：{figures['result']}")
        path.unlink(missing_ok=True)
    finally:
        drop_database(name)


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576


def in_child(func):
    """Run ``func`` in a forked child; returns (its JSON-able result, the child's peak RSS in MB)."""
    import ctypes
    import gc
    import json
    import traceback

    connections.close_all()
    # Hand the parent's freed heap back to the system first: the child's peak is then its own
    # work on top of a loaded Django, as in a fresh worker, not the parent's leftover garbage.
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        code = 0
        try:
            payload = json.dumps(func())
        except BaseException:
            traceback.print_exc()
            payload, code = "null", 1
        with os.fdopen(writer, "w") as out:
            out.write(payload)
        os._exit(code)
    os.close(writer)
    with os.fdopen(reader) as source:
        payload = source.read()
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("子进程失败")
    return json.loads(payload), usage.ru_maxrss / 1024


class MemorySampler:
    """Samples, every 20 ms, this process's resident memory plus the private memory of its child
    processes (the staging helper is forked from this process and shares its pages until either
    writes them: what it adds is what is private to it). The maximum of the sum is the
    import's peak; ru_maxrss of the two processes added up would count shared pages twice."""

    def __init__(self):
        import threading

        self.peak = 0.0
        self.helper_peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _private_mb(pid: str) -> float:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                return sum(int(line.split()[1]) for line in rollup
                           if line.startswith(("Private_Clean", "Private_Dirty"))) / 1024
        except OSError:
            return 0.0  # it has just exited

    def _run(self):
        me = os.getpid()
        while not self._stop.wait(0.02):
            try:
                with open(f"/proc/{me}/task/{me}/children") as listing:
                    children = listing.read().split()
            except OSError:
                children = []
            helpers = sum(self._private_mb(pid) for pid in children)
            self.helper_peak = max(self.helper_peak, helpers)
            self.peak = max(self.peak, current_rss_mb() + helpers)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_import(path: Path, actor, county) -> dict:
    from tuanwu.core import imports as pipeline
    from tuanwu.core.models import ImportJob

    instrument()
    sampler = MemorySampler()
    uploaded = SimpleUploadedFile("团员名册.xlsx", path.read_bytes())
    started = time.perf_counter()
    job = pipeline.save_upload(actor=actor, unit=county, kind="members", uploaded_file=uploaded)
    upload_seconds = time.perf_counter() - started
    del uploaded  # the upload's bytes are on disk now
    peaks = [peak_rss_mb()]
    upload_read = TIMES["read"]
    check_started = time.perf_counter()
    job = pipeline.check_job(job)
    check_seconds = time.perf_counter() - check_started
    peaks.append(peak_rss_mb())
    assert job.status == ImportJob.Status.READY, job.errors[:5]
    commit_started = time.perf_counter()
    job = pipeline.commit_job(job, actor)
    commit_seconds = time.perf_counter() - commit_started
    peaks.append(peak_rss_mb())
    assert job.status == ImportJob.Status.DONE, job.errors[:5]
    total = upload_seconds + check_seconds + commit_seconds

    read_all = TIMES["read"]
    validate = TIMES["validate+read"] - (read_all - upload_read) - TIMES["stage"] - TIMES["id index"] \
        - TIMES["helper wait"]
    commit_phases = {
        "write（人员、团籍 INSERT … SELECT）": TIMES["write"],
        "history（团籍记录 INSERT … SELECT）": TIMES["history"],
        "foreign keys（外键一次核对并锁定所引用的团支部）": TIMES["foreign keys"],
        "audit（两批操作日志 INSERT … SELECT，在导入事务里）": TIMES["audit"],
        "audit（第二个连接并行写，导入等它做完）": TIMES["audit wait"],
        "staging clean-up（删除暂存行）": TIMES["staging clean-up"],
    }
    lines = []
    if HELPER:
        # Parallel check: the helper's pinyin, encryption and COPY overlap the validation; the
        # total counts only what the checking process waited for.
        helper_times = HELPER.get("times", {})
        phases = {
            "read（calamine 解析：上传时 1 次，校验时 1 次；逐行转成 Python 计入 validate）": read_all,
            "validate（逐行校验 1 次；未暂存批次的盲索引与库内查重）": validate + TIMES["id index"],
            "交给暂存助手（取值 + 管道）": TIMES["stage"],
            "等暂存助手做完（含它对已暂存行的库内查重）": TIMES["helper wait"],
            **commit_phases,
        }
        phases["其他（复核查询、事务提交、进度、任务记录）"] = total - sum(phases.values())
        lines += [(f"阶段 {label}：", f"{seconds:.2f} s") for label, seconds in phases.items()]
        helper_lines = {
            "pinyin": helper_times.get("pinyin", 0.0),
            "encrypt（加密 + 盲索引）": helper_times.get("encrypt", 0.0),
            "stage（取号 + 暂存表 COPY）": HELPER["seconds"] - helper_times.get("pinyin", 0.0)
            - helper_times.get("encrypt", 0.0) - HELPER.get("waiting", 0.0),
            "等主进程送数据": HELPER.get("waiting", 0.0),
        }
        lines += [(f"  暂存助手进程（与校验并行）{label}：", f"{seconds:.2f} s") for label, seconds in helper_lines.items()]
    else:
        phases = {
            "read（calamine 解析：上传时 1 次，校验时 1 次；逐行转成 Python 计入 validate）": read_all,
            "validate（逐行校验 1 次，在校验步骤）": validate,
            "pinyin（校验时暂存）": TIMES["pinyin"],
            "encrypt（加密 + 盲索引）": TIMES["encrypt"] + TIMES["id index"],
            "stage（暂存表 COPY，不含拼音与加密）": TIMES["stage"] - TIMES["pinyin"] - TIMES["encrypt"],
            **commit_phases,
        }
        phases["其他（复核查询、事务提交、进度、任务记录）"] = total - sum(phases.values())
        lines += [(f"阶段 {label}：", f"{seconds:.2f} s") for label, seconds in phases.items()]
    if COMPANION:
        lines.append(("  第二个连接（与写入人员、团籍并行）写两批操作日志：",
                      f"{COMPANION['seconds']:.2f} s（{'已预提交' if COMPANION['prepared'] else '未成功，改在导入事务里写'}）"))
    lines.append(("", f"上传 {upload_seconds:.2f} s，校验 {check_seconds:.2f} s，导入 {commit_seconds:.2f} s"))
    lines.append(("峰值内存至各步结束（MB）：", f"上传 {peaks[0]:.0f}，校验 {peaks[1]:.0f}，导入 {peaks[2]:.0f}"))
    return {"lines": lines, "total": total, "commit": commit_seconds, "helper": HELPER, "main_peak": max(peaks),
            "sampled_peak": sampler.stop(), "helper_private_peak": sampler.helper_peak,
            "result": {k: v for k, v in job.result.items() if k != "seconds"}}


if __name__ == "__main__":
    main()
