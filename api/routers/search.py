from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic_core import to_json

from api.auth import ScopeDep
from api.deps import Store, resolve_label
from api.page_cache import kept_page
from api.schemas import SearchHit, node_json
from graph.analyses.cache import cached
from graph.analyses.resolve import LOOKUP_ORDER, candidates, rank, within_region
from graph.ends import is_live, today

router = APIRouter(tags=["实体"])


@router.get("/search", response_model=list[SearchHit], summary="按名称搜索（支持中文）",
            description="名称中的一段即可；同名的可在名称前写出所在区划（如“西岭区孟街街道”）。")
async def search(
    request: Request,
    store: Store,
    scope: ScopeDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="名称中包含的文字")],
    label: Annotated[list[str] | None, Query(description="只搜这些类型")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    ended: Annotated[bool, Query(description="也列出已注销、撤销、转出的（默认不列）")] = False,
):
    labels = [resolve_label(x) for x in label] if label else None
    # enough to rank (the best match first, not the first label's); a scope keeps what it may
    # see of the first 5000
    wanted = max(limit, 200) if scope.everything else 5000

    def find():  # a common word (社区) matches thousands of names: kept like the analyses' answers
        # ranked and counted by the store (the name itself, then names that begin with it), so
        # an exact name is found whatever the number of names that hold it
        return store.find_names(q, labels=labels, limit=wanted, ended=ended).nodes

    def visible(nodes):
        day = today()
        return scope.keep([n for n in nodes if ended or is_live(n.props, day)], lambda n: [(n.label, n.key)])

    def page() -> tuple[bytes, dict]:
        hits = cached(store, ("search", q.strip(), tuple(labels or ()), wanted, ended), find)
        # a name after its region's ("西岭区孟街街道") first, then the names that hold the text
        within = rank(within_region(store, q, tuple(labels or LOOKUP_ORDER), visible), q)
        first = {(n.label, n.key) for n in within}
        best = (within + [n for n in rank(visible(hits), q) if (n.label, n.key) not in first])[:limit]
        shown = [{**node_json(n), "region": c["region"]} for n, c in zip(best, candidates(store, best))]
        return to_json(shown), {}

    # the encoded answer kept per asker's scope too: ranked and encoded once
    return await kept_page(request, store, ("search", q.strip(), tuple(labels or ()), limit, ended, scope.kind,
                                            scope.value), page)
