"""Response models of the API. Personal data is masked on the way out."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from graph.ends import sentence
from graph.model import LABELS, RELATIONSHIPS
from graph.privacy import mask_props
from graph.store import Node, Rel


class NodeOut(BaseModel):
    label: str = Field(description="实体类型 (英文)")
    label_zh: str = Field(description="实体类型")
    id: str = Field(description="编码")
    name: str = Field(description="名称")
    props: dict[str, Any] = Field(description="属性 (个人信息已脱敏)")
    ended: str | None = Field(None, description="已终止时：何时、为何、依据"
                                                "（如“已于 2026-10-15 注销（台账：单位.xlsx 第 12 行）”）")

    @classmethod
    def of(cls, node: Node) -> "NodeOut":
        return cls(**node_json(node))


class SearchHit(NodeOut):
    region: str | None = Field(None, description="所在区划（与别的区划同名时带上级名称）")


class LinkOut(BaseModel):
    type: str = Field(description="关系类型 (英文)")
    type_zh: str = Field(description="关系类型")
    direction: str = Field(description="out: 本实体指向对方; in: 对方指向本实体")
    props: dict[str, Any]
    other: NodeOut


def node_json(node: Node) -> dict[str, Any]:
    """A node as ``NodeOut`` shows it, as plain data (for answers encoded without the model)."""
    # ended: 已于 2026-10-15 注销（台账：单位.xlsx 第 12 行）, or None (graph.ends)
    return {"label": node.label, "label_zh": LABELS[node.label].zh, "id": node.key,
            "name": node.name, "props": mask_props(node.props), "ended": sentence(node.props)}


def link_json(here_label: str, here_key: str, rel: Rel, other: Node) -> dict[str, Any]:
    """A relationship as ``LinkOut`` shows it, seen from the node (here_label, here_key)."""
    outgoing = rel.start.label == here_label and rel.start.key == here_key
    return {"type": rel.type, "type_zh": RELATIONSHIPS[rel.type].zh,
            "direction": "out" if outgoing else "in", "props": mask_props(rel.props),
            "other": node_json(other)}


class EntityOut(NodeOut):
    """Documents ``GET /entities/{label}/{id}``, which the route encodes from ``node_json`` and
    ``link_json`` directly (the most asked route: building and re-validating models per link
    cost more than the rest of its Python)."""

    links: list[LinkOut] = Field(default_factory=list, description="关系")


class Page(BaseModel):
    label: str
    label_zh: str
    total: int = Field(description="该类实体总数")
    skip: int
    limit: int
    items: list[NodeOut]


class Health(BaseModel):
    status: str = Field(description="ok 或 unavailable")
    backend: str = Field(description="memory 或 neo4j")
    reachable: bool = Field(description="存储是否可连接")
    message: str
    home: str = Field(description="数据文件夹（TUPU_HOME）")
