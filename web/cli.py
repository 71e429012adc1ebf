"""Command-line interface: `flask --app web <command>` (DESIGN §7)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from workflow import audit, machine
from workflow.errors import WorkflowError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _rt():
    return current_app.extensions["jiati"]


def upgrade_database(url: str) -> None:
    """Create or migrate the schema to the newest revision (Alembic)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(cfg, "head")


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or migrate the database."""
    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo(f"数据库已就绪 / database ready: {_rt().db.engine.url.render_as_string()}")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load demo users and cases spread over the states (once)."""
    from workflow.demo import load

    created = load(_rt())
    if created:
        click.echo("演示数据已载入 / demo data loaded:")
        for line in created:
            click.echo(f"  {line}")
    else:
        click.echo("演示数据已存在，未重复载入 / demo data already present")


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
    "--role", required=True, type=click.Choice(["homeowner", "clerk", "approver", "admin"])
)
@click.option("--department", default=None, callback=_policy)
@click.option("--name", default="", callback=_policy)
@with_appcontext
def user_create(username: str, password: str, role: str, department: str | None, name: str) -> None:
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
        )
    except WorkflowError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"已创建用户 / created user {account.username} (id {account.id}, {account.role})")


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check every event's hash and link, and every stored file's bytes against its SHA-256;
    exit 1 naming the first broken link and every file that fails (with its case)."""
    from workflow.integrity import file_problems

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


def init_app(app: Flask) -> None:
    for command in (init_db, demo, user, audit_group, diagram):
        app.cli.add_command(command)
