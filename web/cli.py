"""Command-line interface: `flask --app web <command>` (DESIGN §7)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from workflow.data import audit
from workflow.errors import WorkflowError
from workflow.jobs import registry
from workflow.papers import archive as archive_format
from workflow.papers import render
from workflow.process import machine, states
from workflow.services import archive as archive_service

from .ops import check_configuration, configure_logging
from .schema import upgrade_database


def _rt():
    return current_app.extensions["jiati"]


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or migrate the database."""
    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo(f"数据库已就绪 / database ready: {_rt().db.engine.url.render_as_string()}")


@click.command("demo")
@click.option(
    "--cases", type=click.IntRange(min=0), default=0, help="Also add this many cases in bulk."
)
@with_appcontext
def demo(cases: int) -> None:
    """Load demo users and cases spread over the states (once); --cases N adds N more."""
    from workflow.demo.seed import load

    created = load(_rt())
    if created:
        click.echo("演示数据已载入 / demo data loaded:")
        for line in created:
            click.echo(f"  {line}")
    elif not cases:
        click.echo("演示数据已存在，未重复载入 / demo data already present")
    if cases:
        import time

        from workflow.demo.bulk import generate

        start = time.perf_counter()
        with click.progressbar(length=cases, label="案件 / cases") as bar:
            done = [0]

            def step(n: int) -> None:
                bar.update(n - done[0])
                done[0] = n

            generate(_rt(), cases, progress=step)
        took = time.perf_counter() - start
        click.echo(f"已批量添加 {cases} 个案件 / {cases} cases added in bulk in {took:.0f} s")


@click.group("user")
def user() -> None:
    """Manage accounts."""


def _policy(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """The input policy for command-line text, as for forms and the API."""
    from workflow import inputs

    if value is None:
        return None
    try:
        return inputs.text(value, field=param.name or "", max_length=256)
    except WorkflowError as exc:
        raise click.BadParameter(exc.message) from exc


@user.command("create")
@click.option("--username", required=True, callback=_policy)
@click.option("--password", required=True, callback=_policy)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["homeowner", "clerk", "approver", "admin", "mediator"]),
)
@click.option("--department", default=None, callback=_policy)
@click.option("--name", default="", callback=_policy)
@click.option("--street", default=None, callback=_policy, help="a mediator's 街道")
@with_appcontext
def user_create(
    username: str, password: str, role: str, department: str | None, name: str, street: str | None
) -> None:
    from workflow.services import create_user

    try:
        account = create_user(
            _rt(),
            None,
            username=username,
            password=password,
            role=role,
            department=department,
            name=name,
            street=street,
        )
    except WorkflowError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"已创建用户 / created user {account.username} (id {account.id}, {account.role})")


@user.command("link-oidc")
@click.argument("username", callback=_policy)
@click.argument("subject", required=False, callback=_policy)
@click.option("--unlink", is_flag=True, help="remove the account's link")
@with_appcontext
def user_link_oidc(username: str, subject: str | None, unlink: bool) -> None:
    """Link a staff account to its 政务服务网 subject (the ID token's `sub`): the only way it
    logs in through OIDC_ISSUER. Citizens need no link (their verified mobile finds them)."""
    from sqlalchemy import select

    from workflow.data.models import User
    from workflow.services import link_oidc

    if bool(subject) == unlink:
        raise click.UsageError("give SUBJECT, or --unlink / 请给出 SUBJECT，或 --unlink")
    with _rt().db.session() as s:
        user_id = s.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise click.ClickException(f"未找到用户 / no such user: {username}")
    try:
        account = link_oidc(_rt(), None, user_id, None if unlink else subject)
    except WorkflowError as exc:
        raise click.ClickException(exc.message) from exc
    if unlink:
        click.echo(f"已解除政务服务网绑定 / unlinked {account.username}")
    else:
        click.echo(f"已绑定政务服务网账号 / linked {account.username} to {subject}")


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check every event's hash and link, and every stored file's bytes against its SHA-256;
    exit 1 naming the first broken link and every file that fails (with its case)."""
    from workflow.data.integrity import file_problems

    rt = _rt()
    with rt.db.session() as s:
        checked, broken = audit.verify(s)
        files, bad_files = file_problems(s, rt.store)
    if broken:
        click.echo(
            f"审计链断裂 / broken link: chain {broken.chain}, seq {broken.seq}, "
            f"event {broken.event_id}: {broken.reason}",
            err=True,
        )
    else:
        click.echo(f"审计链完整 / audit chain intact: {checked} events")
    for p in bad_files:
        state = "文件缺失 / missing" if p.reason == "missing" else "文件被改动 / altered"
        for where in p.where:
            click.echo(f"{state}: {where}, sha256 {p.sha256}", err=True)
    if broken or bad_files:
        sys.exit(1)
    click.echo(f"文件完整 / files intact: {files} files")


@click.command("diagram")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "svg"]), default="mermaid")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None)
@with_appcontext
def diagram(fmt: str, output: str | None) -> None:
    """Draw the state machine from its declaration."""
    text = machine.mermaid() if fmt == "mermaid" else machine.svg()
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"已写入 / written: {output}")
    else:
        click.echo(text, nl=False)


@click.group("db")
def db_group() -> None:
    """The database schema (Alembic migrations)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the schema; run once per release, before the new workers start (never by them)."""
    upgrade_database(current_app.config["DATABASE_URL"], revision)
    click.echo(f"数据库已迁移 / schema at {revision}: {_rt().db.engine.url.render_as_string()}")


@click.command("check")
@with_appcontext
def check() -> None:
    """Say what is misconfigured for serving the public; exit 1 on any error."""
    findings = check_configuration(current_app)
    rt = _rt()
    click.echo(f"database: {rt.db.engine.url.render_as_string()}")
    click.echo(f"storage:  {rt.store!r}")
    click.echo(f"queue:    {rt.jobs.describe()}")
    for f in findings:
        click.echo(f"{f.level.upper():8} {f.setting}: {f.text}")
    errors = sum(f.level == "error" for f in findings)
    click.echo(f"{errors} error(s), {len(findings) - errors} warning(s)")
    if errors:
        sys.exit(1)


@click.command("worker")
@click.option("--threads", default=2, show_default=True, help="jobs run at once")
@click.option(
    "--once",
    is_flag=True,
    help="without REDIS_URL: render what is left, resume batch prints, retry due SMS, run "
    "what is queued, then stop",
)
@with_appcontext
def worker(threads: int, once: bool) -> None:
    """Run queued jobs (letters, batches, reminders) and the periodic work until stopped: from
    Redis when REDIS_URL is set, else from the instance folder's queue file, beside the web
    processes that run it too (several consumers on one file never run a job twice)."""
    rt = _rt()
    configure_logging(current_app.config.get("LOG_LEVEL", "INFO"))
    if not once:
        rt.jobs.run_worker(threads)
        return
    run_queued = getattr(rt.jobs, "run_queued", None)
    if run_queued is None:
        raise click.UsageError("--once is for the embedded queue (no REDIS_URL)")
    stored, failed = render.render_missing_now(rt)
    b = registry.print_unfinished_batches(rt)
    m = registry.deliver_due_messages(rt)
    q = run_queued()
    click.echo(
        f"未配置 Redis，队列在实例目录 / no queue service (REDIS_URL): {stored} letter(s)"
        f" rendered and stored, {b} batch print(s) resumed, {m} message(s) sent for delivery,"
        f" {q} queued job(s) run"
    )
    if failed:
        for letter_id, why in failed[:20]:
            click.echo(f"  文书 {letter_id} 未能生成 / letter {letter_id} not rendered: {why}")
        raise click.ClickException(
            f"{len(failed)} 份文书未能生成 PDF / {len(failed)} letter(s) could not be rendered"
        )


@click.command("backup")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None)
@with_appcontext
def backup(output: str | None) -> None:
    """Write a consistent copy (every table and every stored file) to one .tar.gz."""
    from workflow.data.backup import BackupError, dump

    rt = _rt()
    target = Path(output or f"jiati-backup-{rt.clock():%Y%m%d-%H%M%S}.tar.gz")
    try:
        summary = dump(rt, target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"已备份 / backup written: {target} ({sum(summary.rows.values())} rows, "
        f"{summary.files} files, schema {summary.revision})"
    )


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore(source: str) -> None:
    """Bring a backup back onto an empty database and store."""
    from workflow.data.backup import BackupError
    from workflow.data.backup import restore as restore_backup

    try:
        summary = restore_backup(_rt(), Path(source), upgrade_database)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"已恢复 / restored: {sum(summary.rows.values())} rows, {summary.files} files; "
        "now run: flask --app web audit verify"
    )


@click.command("deadlines")
@click.option("--date", "day", default=None, help="the day to check (YYYY-MM-DD); default today")
@with_appcontext
def deadlines(day: str | None) -> None:
    """Flag cases due within two working days or overdue, tell the desks, remind the
    households of long consultations that have not voted, and the elevators' 使用管理单位 and
    applicants of inspections and maintenance contracts falling due (run daily)."""
    from datetime import date

    from workflow.jobs.registry import daily_check

    flags, reminded = daily_check(_rt(), date.fromisoformat(day) if day else None)
    for f in flags:
        state = states.STATE[f.state].label
        when = "已超期" if f.kind == "overdue" else "即将到期"
        seen = "" if f.new else "（今日已记录）"
        click.echo(
            f"{f.reference}\t{state}\t{when}\t{f.due.isoformat()}\t"
            f"{f.workdays_left:+d}\t{','.join(f.who)}{seen}"
        )
    click.echo(f"{len(flags)} 件需要关注 / case(s) flagged")
    click.echo(f"{reminded} 条提醒（表决、电梯检验与维保）/ reminder(s) written")
    click.echo(
        "已处理超过保存期限的个人信息，数量记入审计日志 / retention applied (counts audited)"
    )


@click.group("archive")
def archive_group() -> None:
    """Closed cases as archive packages (城建档案): export and verify."""


@archive_group.command("export")
@click.option("--case", "reference", default=None, help="the case's reference")
@click.option("--year", type=int, default=None, help="every case closed in this year")
@click.option(
    "-o", "--output", required=True, type=click.Path(), help="FILE.zip, or a folder with --year"
)
@with_appcontext
def archive_export(reference: str | None, year: int | None, output: str) -> None:
    """Write a closed case's package (letters, documents, uploads, audit log, manifest)."""
    if (reference is None) == (year is None):
        raise click.UsageError("give --case REF or --year YYYY")
    rt = _rt()
    if reference is not None:
        target = Path(output)
        with target.open("wb") as out:
            try:
                manifest = archive_service.write_package(rt, reference, out)
            except WorkflowError as exc:
                target.unlink(missing_ok=True)
                raise click.ClickException(exc.message) from exc
        click.echo(f"已归档 / archived: {target} ({len(manifest['files'])} files)")
        return
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    refs = archive_service.closed_in_year(rt, year)
    failed = []
    with click.progressbar(refs, label=f"{year} 年办结案件 / cases closed in {year}") as bar:
        for ref in bar:
            target = folder / f"{ref}.zip"
            try:
                with target.open("wb") as out:
                    archive_service.write_package(rt, ref, out)
            except Exception as exc:  # noqa: BLE001 - counted, named, and the exit says so
                target.unlink(missing_ok=True)
                failed.append((ref, f"{exc.__class__.__name__}: {exc}"))
    click.echo(f"{len(refs) - len(failed)} 个归档包已写入 / package(s) written to {folder}")
    if failed:
        for ref, why in failed:
            click.echo(f"  {ref}: {why}")
        raise click.ClickException(f"{len(failed)} 个案件未能归档 / case(s) not archived")


@archive_group.command("verify")
@click.argument("package", type=click.Path(exists=True, dir_okay=False))
def archive_verify(package: str) -> None:
    """Say whether a package is complete and untouched; exits non-zero with what is wrong."""
    problems = archive_format.verify(package)
    if problems:
        for p in problems:
            click.echo(f"✘ {p}")
        raise click.ClickException(
            f"归档包未通过核验 / the package fails: {len(problems)} problem(s)"
        )
    click.echo("✔ 归档包完整、未被改动 / the package is complete and untouched")


def init_app(app: Flask) -> None:
    for command in (
        archive_group,
        init_db,
        demo,
        user,
        audit_group,
        diagram,
        db_group,
        check,
        worker,
        backup,
        restore,
        deadlines,
    ):
        app.cli.add_command(command)
