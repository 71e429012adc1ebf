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
@click.option(
    "--cases", type=click.IntRange(min=0), default=0, help="Also add this many cases in bulk."
)
@with_appcontext
def demo(cases: int) -> None:
    """Load demo users and cases spread over the states (once); --cases N adds N more."""
    from workflow.demo import load

    created = load(_rt())
    if created:
        click.echo("演示数据已载入 / demo data loaded:")
        for line in created:
            click.echo(f"  {line}")
    elif not cases:
        click.echo("演示数据已存在，未重复载入 / demo data already present")
    if cases:
        import time

        from workflow.demo_bulk import generate

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


@user.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option(
    "--role", required=True, type=click.Choice(["homeowner", "clerk", "approver", "admin"])
)
@click.option("--department", default=None)
@click.option("--name", default="")
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
    """Check every event's hash and link; exit 1 at the first broken link."""
    with _rt().db.session() as s:
        checked, broken = audit.verify(s)
    if broken:
        click.echo(
            f"审计链断裂 / broken link: chain {broken.chain}, seq {broken.seq}, "
            f"event {broken.event_id}: {broken.reason}",
            err=True,
        )
        sys.exit(1)
    click.echo(f"审计链完整 / audit chain intact: {checked} events")


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
