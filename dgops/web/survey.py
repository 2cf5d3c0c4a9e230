"""The questionnaire: the overview, a page per pillar (saved without JavaScript), autosave of
single answers, the review page and the submission."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from dgops.fieldwork import GROUP_FIELDS, effective_deadlines
from dgops.responses import (
    AnswerWindow,
    IncompleteError,
    LateError,
    LockedError,
    ResponseError,
    answers_of,
    comments_of,
    evidence_of,
    evidence_questions,
    progress,
    save_answers,
    submit,
)
from dgops.thai import local_date, thai_date, to_local
from dgops.web.evidence import delete_requested, store_uploads
from dgops.web.portal import (
    NOTICES,
    NotFound,
    Portal,
    PortalDep,
    SurveyContext,
    form_text,
    read_form,
)
from dgops.web.views import (
    PillarView,
    agency_errors,
    answers_from_form,
    outside_answers,
    pillar_view,
    question_numbers,
)

TOO_LARGE = "ไฟล์ที่ส่งมามีขนาดใหญ่เกินไป กรุณาแนบครั้งละไฟล์ หรือลดขนาดไฟล์"
PARTLY_SAVED = "บันทึกแล้วบางส่วน — มีข้อที่ต้องแก้ไข (ข้อความสีแดง)"


def closed_message(window: AnswerWindow) -> str:
    """What an agency reads once its answering window has closed."""
    return (
        f"พ้นกำหนดส่งแบบสำรวจแล้ว (รับคำตอบถึงวันที่ {thai_date(window.last_day)}) "
        "จึงแก้ไขหรือส่งคำตอบไม่ได้ หากต้องการส่งคำตอบ กรุณาติดต่อทีมงานโครงการเพื่อขอขยายเวลา"
    )


def incomplete_message(exc: IncompleteError) -> str:
    """Why a submission was refused, without question ids (the list below links to them)."""
    parts = []
    if exc.missing:
        parts.append(f"ยังไม่ได้ตอบข้อที่ต้องตอบ {len(exc.missing)} ข้อ")
    if exc.evidence_missing:
        parts.append(f"ยังไม่ได้แนบหลักฐาน {len(exc.evidence_missing)} ข้อ")
    return "ยังส่งแบบสำรวจไม่ได้ เพราะ" + " และ".join(parts) + " ดูรายการและลิงก์ไปยังแต่ละข้อด้านล่าง"


router = APIRouter()


def progress_json(ctx: SurveyContext) -> dict[str, Any]:
    """The progress figures the page script shows after an autosave."""
    prog = progress(ctx.framework, ctx.answers, evidence=ctx.attached)
    return {
        "answered": prog.answered,
        "required": prog.required,
        "missing": prog.missing,
        "evidence_missing": prog.evidence_missing,
        "by_pillar": {k: list(v) for k, v in prog.by_pillar.items()},
    }


def agency_deadline(session: Session, ctx: SurveyContext) -> dt.date:
    """The signed-in agency's own deadline: ``dgops.fieldwork.effective_deadlines`` (its own
    extension, else its group's, else the cycle's) for a one-agency frame."""
    agency = ctx.agency
    row: dict[str, Any] = {"agency_id": agency.id}
    for name in GROUP_FIELDS:
        value = getattr(agency, name, None)
        row[name] = getattr(value, "value", value)
    found = effective_deadlines(session, ctx.cycle, pd.DataFrame([row]))
    return dt.date.fromisoformat(str(found.iloc[0])) if len(found) else ctx.cycle.deadline


def answer_window(portal: Portal, session: Session, ctx: SurveyContext) -> AnswerWindow:
    """Today's late-answer rule for the signed-in agency (``DGOPS_LATE_ANSWER_DAYS``)."""
    return AnswerWindow(
        deadline=agency_deadline(session, ctx),
        late_days=portal.settings.late_answer_days,
        today=local_date(portal.clock()),
    )


def page_common(portal: Portal, ctx: SurveyContext, session: Session) -> dict[str, Any]:
    """What every questionnaire page shows: who, the agency's deadline, progress, open
    comments, numbering, and whether the answers may still be changed."""
    prog = progress(ctx.framework, ctx.answers, evidence=ctx.attached)
    comments = comments_of(session, ctx.response, open_only=True)
    window = answer_window(portal, session, ctx)
    closed = window.closed_for(ctx.status)
    shown = ctx.framework.evaluate_show_if(ctx.answers)
    return {
        "principal": ctx.principal,
        "csrf_token": ctx.principal.csrf_token,
        "ctx": ctx,
        "progress": prog,
        "comments": comments,
        "general_comments": [c for c in comments if not c.question_id],
        "numbers": question_numbers(ctx.framework, shown),
        "window": window,
        "closed": closed,
        "closed_message": closed_message(window) if closed else "",
        "editable": ctx.editable and not closed,
    }


def all_pillars(
    session: Session, ctx: SurveyContext, common: Mapping[str, Any]
) -> list[PillarView]:
    """Every pillar with the agency's answers, files and comments (overview and review)."""
    shown = ctx.framework.evaluate_show_if(ctx.answers)
    files = evidence_of(session, ctx.response)
    return [
        pillar_view(
            ctx.framework,
            p,
            ctx.answers,
            shown=shown,
            missing=common["progress"].missing,
            evidence_missing=common["progress"].evidence_missing,
            comments=common["comments"],
            files=files,
        )
        for p in ctx.framework.pillars
    ]


@router.get("/survey")
def overview(request: Request, portal: PortalDep) -> Response:
    """The agency's status, progress per pillar and the officers' comments."""
    with portal.db.begin() as s:
        principal = portal.principal(request, s)
        ctx = portal.survey(s, principal)
        common = page_common(portal, ctx, s)
        pillars = all_pillars(s, ctx, common)
        return portal.render(request, "overview.html.j2", pillars=pillars, **common)


def render_pillar(
    portal: Portal,
    request: Request,
    s: Session,
    ctx: SurveyContext,
    code: str,
    *,
    errors: Mapping[str, str] | None = None,
    raw: Mapping[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """The page of pillar ``code`` (``raw``: refused values shown back with their ``errors``)."""
    try:
        pillar = ctx.framework.pillar(code)
    except KeyError:
        raise NotFound from None
    common = page_common(portal, ctx, s)
    shown = ctx.framework.evaluate_show_if(ctx.answers)
    values = {**ctx.answers, **(raw or {})}
    view = pillar_view(
        ctx.framework,
        pillar,
        values,
        shown=shown,
        errors=errors,
        missing=common["progress"].missing,
        evidence_missing=common["progress"].evidence_missing,
        comments=common["comments"],
        files=evidence_of(s, ctx.response),
    )
    codes = ctx.framework.pillar_codes
    i = codes.index(code)
    return portal.render(
        request,
        "pillar.html.j2",
        status,
        pillar=view,
        prev_code=codes[i - 1] if i > 0 else None,
        next_code=codes[i + 1] if i + 1 < len(codes) else None,
        outside=outside_answers(ctx.framework, pillar, ctx.answers),
        errors=errors or {},
        max_upload_mb=portal.config.max_upload_bytes // (1024 * 1024),
        **common,
    )


@router.get("/survey/pillar/{code}")
def pillar_page(request: Request, code: str, portal: PortalDep) -> Response:
    """One pillar's questions with the agency's answers and files."""
    with portal.db.begin() as s:
        principal = portal.principal(request, s)
        ctx = portal.survey(s, principal)
        return render_pillar(portal, request, s, ctx, code)


def do_save_pillar(portal: Portal, request: Request, code: str, form: FormData) -> Response:
    """Save a pillar's answers, uploads and a deletion; errors re-show the page (422)."""
    with portal.db.begin() as s:
        principal = portal.principal(request, s)
        portal.check_csrf(request, principal, form)
        ctx = portal.survey(s, principal)
        try:
            pillar = ctx.framework.pillar(code)
        except KeyError:
            raise NotFound from None
        if not ctx.editable:
            return RedirectResponse(f"/survey/pillar/{code}?msg=locked", status_code=303)
        window = answer_window(portal, s, ctx)
        if window.closed_for(ctx.status):
            # Not saved: the page shows why, and the agency's unsaved values stay in its
            # browser (portal.js keeps drafts until the server has them).
            return RedirectResponse(f"/survey/pillar/{code}?msg=closed", status_code=303)
        on_page = {q.id for sub in pillar.sub_indicators for q in sub.questions}
        answers, errors = answers_from_form(
            ctx.framework, list(form.multi_items()), allowed=on_page
        )
        actor = principal.username
        channel = portal.config.survey_channel
        if answers:
            result = save_answers(
                s,
                ctx.response,
                answers,
                framework=ctx.framework,
                actor=actor,
                channel=channel,
                window=window,
            )
            errors.update(agency_errors(ctx.framework, result.errors, result.reasons))
        errors.update(store_uploads(portal, s, ctx, form, on_page))
        errors.update(delete_requested(s, ctx, form))
        if errors:
            ctx.answers = answers_of(s, ctx.response)
            ctx.attached = evidence_questions(s, ctx.response)
            raw = {k: v for k, v in answers.items() if k in errors}
            return render_pillar(portal, request, s, ctx, code, errors=errors, raw=raw, status=422)
    target = code
    if form_text(form, "go") == "next":
        codes = ctx.framework.pillar_codes
        i = codes.index(code)
        if i + 1 < len(codes):
            target = codes[i + 1]
        else:
            return RedirectResponse("/survey/review", status_code=303)
    return RedirectResponse(f"/survey/pillar/{target}?msg=saved", status_code=303)


@router.post("/survey/pillar/{code}")
async def save_pillar(request: Request, code: str, portal: PortalDep) -> Response:
    """The pillar form's submit (the no-JavaScript way to save)."""
    length = int(request.headers.get("content-length") or 0)
    if length > 5 * portal.config.max_upload_bytes:
        return portal.render(request, "error.html.j2", 413, message=TOO_LARGE)
    form = await read_form(request)
    try:
        return await run_in_threadpool(do_save_pillar, portal, request, code, form)
    finally:
        await form.close()


def do_autosave(portal: Portal, request: Request, form: FormData) -> Response:
    """Save the answers sent and report what was saved, cleared, refused and now shown."""
    with portal.db.begin() as s:
        principal = portal.principal(request, s)
        portal.check_csrf(request, principal, form)
        ctx = portal.survey(s, principal)
        if not ctx.editable:
            return JSONResponse(
                {"ok": False, "error": "locked", "message": NOTICES["locked"]},
                status_code=409,
            )
        window = answer_window(portal, s, ctx)
        if window.closed_for(ctx.status):
            return JSONResponse(
                {"ok": False, "error": "closed", "message": closed_message(window)},
                status_code=409,
            )
        answers, errors = answers_from_form(ctx.framework, list(form.multi_items()))
        saved: list[str] = []
        cleared: list[str] = []
        if answers:
            try:
                result = save_answers(
                    s,
                    ctx.response,
                    answers,
                    framework=ctx.framework,
                    actor=principal.username,
                    channel=portal.config.survey_channel,
                    window=window,
                )
            except LockedError:
                return JSONResponse(
                    {"ok": False, "error": "locked", "message": NOTICES["locked"]},
                    status_code=409,
                )
            errors.update(agency_errors(ctx.framework, result.errors, result.reasons))
            saved, cleared = result.saved, result.cleared
            ctx.answers = answers_of(s, ctx.response)
        body = {
            "ok": not errors,
            "saved": saved,
            "cleared": cleared,
            "errors": errors,
            "shown": ctx.framework.evaluate_show_if(ctx.answers),
            "progress": progress_json(ctx),
            "saved_at": to_local(portal.clock()).strftime("%H:%M"),
            "message": PARTLY_SAVED if errors else "",
        }
    return JSONResponse(body, status_code=200 if not errors else 422)


@router.post("/survey/autosave")
async def autosave(request: Request, portal: PortalDep) -> Response:
    """The page script's save of changed answers (JSON; 401/403/409/422 as JSON too)."""
    form = await read_form(request)
    return await run_in_threadpool(do_autosave, portal, request, form)


def render_review(
    portal: Portal,
    request: Request,
    s: Session,
    ctx: SurveyContext,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    """Every pillar's answers on one page, with the submit button (and why it failed)."""
    common = page_common(portal, ctx, s)
    pillars = all_pillars(s, ctx, common)
    return portal.render(request, "review.html.j2", status, pillars=pillars, error=error, **common)


@router.get("/survey/review")
def review(request: Request, portal: PortalDep) -> Response:
    """The review page before submission."""
    with portal.db.begin() as s:
        principal = portal.principal(request, s)
        ctx = portal.survey(s, principal)
        return render_review(portal, request, s, ctx)


def do_submit(portal: Portal, request: Request, form: FormData) -> Response:
    """Submit the response; an incomplete one re-shows the review with what is missing."""
    with portal.db.begin() as s:
        principal = portal.principal(request, s)
        portal.check_csrf(request, principal, form)
        ctx = portal.survey(s, principal)
        try:
            submit(
                s,
                ctx.response,
                framework=ctx.framework,
                actor=principal.username,
                channel=portal.config.survey_channel,
                window=answer_window(portal, s, ctx),
            )
        except IncompleteError as exc:
            error = incomplete_message(exc)
            return render_review(portal, request, s, ctx, error=error, status=422)
        except LateError:
            return RedirectResponse("/survey/review?msg=closed", status_code=303)
        except ResponseError:
            return RedirectResponse("/survey?msg=locked", status_code=303)
    return RedirectResponse("/survey?msg=submitted", status_code=303)


@router.post("/survey/submit")
async def submit_route(request: Request, portal: PortalDep) -> Response:
    """Submit the questionnaire (locks it until the officers return it)."""
    form = await read_form(request)
    return await run_in_threadpool(do_submit, portal, request, form)
