"""Who may act as a unit's agent (代办人), and how an agent is named on the papers."""

from __future__ import annotations

# Who may act as the unit's agent.
AGENT_KINDS = {
    "community": ("社区", "Community (社区)"),
    "property": ("物业服务企业", "Property manager"),
    "installer": ("电梯安装企业", "Installation company"),
    "owner": ("本单元业主", "An owner of the unit"),
}


def agent_label(kind: str | None, name: str | None) -> str:
    """翠湖社区（社区，代办人）, or "" when the applicant files for itself."""
    if not kind:
        return ""
    return f"{name}（{AGENT_KINDS[kind][0]}，代办人）"
