"""The policy: every threshold of the gap rules, from a YAML file a user can change.

>>> p = load_policy()
>>> p.u1_min_members, p.m4_lost_contact_days
(3, 180)
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph.errors import InvalidInput

DEFAULT_POLICY = Path(__file__).with_name("policy.yaml")


class Policy(BaseModel):
    """Every threshold of the gap rules. Besides these fields, a policy may set the thresholds
    that rules declare in their entries (``graph.rules``, ``Rule.thresholds``); any other key is
    an error."""

    model_config = ConfigDict(extra="allow", frozen=True)

    coverable_kinds: list[str]
    pairable_kinds: list[str]
    u1_min_members: int = Field(ge=1)
    g2_min_residents: int = Field(ge=1)
    g3_min_residents: int = Field(ge=1)
    branch_kinds: list[str]
    o1_min_formal: int = Field(ge=0)
    o2_max_members: int = Field(ge=1)
    o4_max_covered: int = Field(ge=1)
    m3_work_kinds: list[str]
    m4_lost_contact_days: int = Field(ge=1, le=36500)
    p1_sectors: list[str]
    p2_sectors: list[str]
    p4_min_activities: int = Field(ge=0)
    p4_window_days: int = Field(ge=1, le=36500)
    industry_unit_kinds: list[str]
    committee_kinds: list[str]
    pair_capacity: int = Field(ge=1)
    # a complete ledger (tupu ingest --complete) that would end more than this share of its scope
    # is a partial file: refused without --force (graph.ends, ingest.complete)
    complete_max_end_percent: int = Field(20, ge=0, le=100)

    @model_validator(mode="after")
    def _known_extras(self) -> "Policy":
        from graph.rules.base import declared_thresholds  # the rules import the policy

        declared = declared_thresholds()
        for key, value in (self.model_extra or {}).items():
            if key not in declared:
                raise ValueError(f"未知的策略项：{key}")
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"策略项 {key} 应为非负整数，实为 {value!r}")
        return self

    def threshold(self, name: str) -> int:
        """A threshold by its name: a field, a value the policy file set, or the rule's default."""
        from graph.rules.base import declared_thresholds

        if name in type(self).model_fields:
            return int(getattr(self, name))
        return int((self.model_extra or {}).get(name, declared_thresholds()[name]))

    @cached_property
    def fingerprint(self) -> str:
        """The policy as text: answers worked out under it are kept under this (a frozen model
        with list fields has no hash; this is computed once, not on every request)."""
        return self.model_dump_json()


class PolicyError(InvalidInput, ValueError):
    pass


MAX_POLICY_BYTES = 64 * 1024  # a policy is a page of thresholds


class _PlainYaml(yaml.SafeLoader):
    """YAML without anchors and aliases: a policy needs none, and nested aliases ("billion
    laughs") make a few bytes expand without end."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            raise PolicyError("策略文件不能使用 YAML 别名（* 与 &）")
        return super().compose_node(parent, index)


def load_policy(path: Path | str | None = None) -> Policy:
    """The default policy, with the values of ``path`` (if given) laid over it."""
    data = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    if path is not None:
        try:
            raw = Path(path).read_bytes()
            if len(raw) > MAX_POLICY_BYTES:
                raise PolicyError(f"策略文件 {path} 过大（{len(raw)} 字节，上限 {MAX_POLICY_BYTES}）")
            override = yaml.load(raw.decode("utf-8"), Loader=_PlainYaml) or {}  # noqa: S506 - a SafeLoader
        except UnicodeDecodeError:
            raise PolicyError(f"策略文件 {path} 不是 UTF-8 编码的文本，请另存为 UTF-8") from None
        except (OSError, yaml.YAMLError) as e:
            raise PolicyError(f"无法读取策略文件 {path}: {e}") from e
        if not isinstance(override, dict):
            raise PolicyError(f"策略文件 {path} 应为键值对")
        data.update(override)
    try:
        return Policy(**data)
    except ValidationError as e:
        raise PolicyError(f"策略文件 {path} 有误：{e}") from e
