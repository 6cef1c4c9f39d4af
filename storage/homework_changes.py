"""Changes to a published posting that wait for an approver.

In `head_teacher` and `office` mode a change to a published posting is approved like a new one.
Until then the published version stays on the board and in the class's total: the change is a
row of its own, and only an approval copies it into the posting. It joins the posting's batch:
a batch holds one posting per class, so the first row of a class in a batch is the posting and
every later one a change of it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.homework import Kind, Layer
from rules.states import HomeworkStatus
from storage.homework import move
from storage.models import HomeworkPost
from storage.types import stored_id


async def original_of(*, session: AsyncSession, post: HomeworkPost) -> HomeworkPost | None:
    """The posting `post` is a change of; None when `post` is a posting itself."""
    if post.batch is None:
        return None
    query = select(HomeworkPost).where(
        HomeworkPost.batch == post.batch, HomeworkPost.class_id == post.class_id
    )
    first = (await session.exec(query.order_by(col(HomeworkPost.id)))).first()
    return first if first is not None and first.id != post.id else None


async def waiting_changes(*, session: AsyncSession, post: HomeworkPost) -> list[HomeworkPost]:
    """The changes of a published posting still waiting for an approver."""
    if post.batch is None:
        return []
    query = select(HomeworkPost).where(
        HomeworkPost.batch == post.batch,
        HomeworkPost.class_id == post.class_id,
        col(HomeworkPost.id) > (stored_id(post)),
        HomeworkPost.status == HomeworkStatus.PENDING,
    )
    return list((await session.exec(query.order_by(col(HomeworkPost.id)))).all())


async def propose_change(
    *,
    session: AsyncSession,
    post: HomeworkPost,
    kind: Kind,
    layer: Layer | None,
    minutes: int,
    content: str,
    exception: bool,
    now: datetime,
) -> HomeworkPost:
    """A change of a published posting, waiting for an approver; the posting stays as it is."""
    change = HomeworkPost(
        school_id=post.school_id,
        class_id=post.class_id,
        subject_id=post.subject_id,
        author_id=post.author_id,
        day=post.day,
        kind=kind.value,
        layer=layer.value if layer else "",
        minutes=minutes,
        content=content,
        status=HomeworkStatus.PENDING,
        exception=exception,
        batch=post.batch,
        created_at=now,
        updated_at=now,
    )
    session.add(change)
    await session.flush()
    return change


async def cancel_changes(*, session: AsyncSession, post: HomeworkPost, now: datetime) -> list[int]:
    """Drops the waiting changes of a posting (it was changed again, or withdrawn)."""
    dropped = []
    for change in await waiting_changes(session=session, post=post):
        if await move(
            session=session,
            post=change,
            from_statuses=(HomeworkStatus.PENDING,),
            now=now,
            status=HomeworkStatus.CANCELLED,
        ):
            dropped.append(stored_id(change))
    return dropped


async def apply_change(
    *, session: AsyncSession, change: HomeworkPost, original: HomeworkPost, now: datetime
) -> None:
    """Copies an approved change into the published posting it changes (already `applied`)."""
    await move(
        session=session,
        post=original,
        from_statuses=(HomeworkStatus.PUBLISHED,),
        now=now,
        kind=change.kind,
        layer=change.layer,
        minutes=change.minutes,
        content=change.content,
        exception=change.exception,
        decided_by=change.decided_by,
        decided_at=change.decided_at,
    )
