"""The policy: every threshold of the gap rules, from a YAML file a user can change.

>>> p = load_policy()
>>> p.u1_min_members, p.m4_lost_contact_days
(3, 180)
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

DEFAULT_POLICY = Path(__file__).with_name("policy.yaml")


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    coverable_kinds: list[str]
    pairable_kinds: list[str]
    u1_min_members: int
    g2_min_residents: int
    g3_min_residents: int
    branch_kinds: list[str]
    o1_min_formal: int
    o2_max_members: int
    o4_max_covered: int
    m3_work_kinds: list[str]
    m4_lost_contact_days: int
    p1_sectors: list[str]
    p2_sectors: list[str]
    p4_min_activities: int
    p4_window_days: int
    industry_unit_kinds: list[str]
    committee_kinds: list[str]
    pair_capacity: int

    @cached_property
    def fingerprint(self) -> str:
        """The policy as text: answers worked out under it are kept under this (a frozen model
        with list fields has no hash; this is computed once, not on every request)."""
        return self.model_dump_json()


class PolicyError(ValueError):
    pass


def load_policy(path: Path | str | None = None) -> Policy:
    """The default policy, with the values of ``path`` (if given) laid over it."""
    data = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    if path is not None:
        try:
            override = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as e:
            raise PolicyError(f"无法读取策略文件 {path}: {e}") from e
        if not isinstance(override, dict):
            raise PolicyError(f"策略文件 {path} 应为键值对")
        data.update(override)
    try:
        return Policy(**data)
    except ValidationError as e:
        raise PolicyError(f"策略文件 {path} 有误：{e}") from e
