"""Profilverkstad (KLK): edit a profile as form fields or as TOML, validate, preview, save with history."""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from errors import ProfileError
from matcher.profiles import ID_PATTERN, Profile, parse_profile
from store.accounts import record_audit
from store.browse import calls_by_ids
from store.engine import read_session, write_session
from store.matches import feedback_for_profile
from web import ranking
from web.app import flash, render, state
from web.guards import check_csrf, require_klk
from web.profile_files import ConflictError, file_version
from web.profile_form import FieldErrors, PriorityFields, ProfileFields, field_errors, field_label

log = logging.getLogger(__name__)
router = APIRouter()

ACTIONS = ("validate", "preview", "save", "add_priority", "to_toml", "to_form")


@router.get("/workshop", response_class=HTMLResponse)
def workshop_list(request: Request) -> Response:
    require_klk(request, "/workshop")
    web = state(request)
    profiles, problems = web.profiles.all()
    return render(
        request,
        "workshop_list.html",
        {"profiles": sorted(profiles.values(), key=lambda p: p.name.casefold()), "problems": problems},
    )


@router.get("/workshop/new")
def workshop_new(request: Request, id: str = "") -> Response:
    require_klk(request, "/workshop")
    profile_id = id.strip().lower()
    if not ID_PATTERN.match(profile_id):
        web = state(request)
        profiles, problems = web.profiles.all()
        return render(
            request,
            "workshop_list.html",
            {
                "profiles": sorted(profiles.values(), key=lambda p: p.name.casefold()),
                "problems": problems,
                "new_id": id,
                "new_id_error": "Använd små bokstäver a–z, siffror, bindestreck eller understreck (högst 100 tecken), "
                "till exempel ”miljoforvaltningen”.",
            },
            status_code=422,
        )
    return RedirectResponse(f"/workshop/{profile_id}", status_code=303)


def _editor(
    request: Request,
    profile_id: str,
    mode: str,
    fields: ProfileFields,
    toml_text: str,
    base_version: str,
    errors: FieldErrors | None = None,
    valid: Profile | None = None,
    preview: ranking.PreviewView | None = None,
    preview_calls: dict | None = None,
    status_code: int = 200,
) -> Response:
    web = state(request)
    exists = web.profiles.raw(profile_id) is not None
    if not fields.priorities:
        fields.priorities.append(PriorityFields())
    return render(
        request,
        "workshop.html",
        {
            "profile_id": profile_id,
            "exists": exists,
            "mode": mode,
            "fields": fields,
            "toml_text": toml_text,
            "base_version": base_version,
            "errors": errors or FieldErrors(),
            "valid": valid,
            "preview": preview,
            "preview_calls": preview_calls or {},
            "history": web.profiles.history(profile_id)[:10],
            "field_label": field_label,
        },
        status_code=status_code,
    )


def _check_id(profile_id: str) -> None:
    if not ID_PATTERN.match(profile_id):
        raise HTTPException(404, f"”{profile_id}” är inte ett giltigt profil-id.")


@router.get("/workshop/{profile_id}", response_class=HTMLResponse)
def workshop_edit(request: Request, profile_id: str, mode: str = "form") -> Response:
    require_klk(request, f"/workshop/{profile_id}")
    _check_id(profile_id)
    web = state(request)
    raw = web.profiles.raw(profile_id)
    if raw is None:
        fields = ProfileFields(max_matches="10", priorities=[PriorityFields(weight="1")])
        return _editor(request, profile_id, "form", fields, fields.to_toml(), "")
    text = raw.decode("utf-8", "replace")
    profile, error = web.profiles.load(profile_id)
    if profile is None:
        # an invalid file can only be repaired as TOML; show what is wrong with it
        return _editor(request, profile_id, "toml", ProfileFields(), text, file_version(raw), field_errors(error))
    return _editor(
        request,
        profile_id,
        "toml" if mode == "toml" else "form",
        ProfileFields.from_profile(profile),
        text,
        profile.version,
    )


@router.post("/workshop/{profile_id}", response_class=HTMLResponse)
async def workshop_post(request: Request, profile_id: str) -> Response:
    # a profile may be 1 MB (matcher/profiles.py); a larger text still reaches the validator and gets its message
    posted = await request.form(max_part_size=2 * 1024 * 1024)
    form = {key: value for key, value in posted.items() if isinstance(value, str)}
    return await run_in_threadpool(_workshop_post, request, profile_id, form)


def _workshop_post(request: Request, profile_id: str, form: dict[str, str]) -> Response:
    check_csrf(request, form.get("csrf_token"))
    user = require_klk(request, f"/workshop/{profile_id}")
    _check_id(profile_id)
    web = state(request)
    mode = "toml" if form.get("mode") == "toml" else "form"
    action = form.get("action", "validate")
    if action not in ACTIONS:
        action = "validate"
    base_version = form.get("base_version", "")

    if mode == "form":
        fields = ProfileFields.from_form(form)
        text = fields.to_toml()
    else:
        text = form.get("toml", "").replace("\r\n", "\n")
        fields = ProfileFields()

    if action == "add_priority" and mode == "form":
        fields.priorities.append(PriorityFields(weight="1"))
        return _editor(request, profile_id, mode, fields, text, base_version)

    try:
        edited = web.profiles.validate(profile_id, text)
    except ProfileError as exc:
        errors = field_errors(str(exc))
        if action == "to_toml":
            return _editor(request, profile_id, "toml", fields, text, base_version, errors, status_code=422)
        return _editor(request, profile_id, mode, fields, text, base_version, errors, status_code=422)

    if action == "to_toml":
        return _editor(request, profile_id, "toml", fields, text, base_version, valid=edited)
    if action == "to_form":
        return _editor(
            request, profile_id, "form", ProfileFields.from_profile(edited), text, base_version, valid=edited
        )
    if mode == "toml":
        fields = ProfileFields.from_profile(edited)

    if action == "save":
        try:
            with write_session(web.engine) as db:
                result = web.profiles.save(profile_id, text, user.username, expected_version=base_version)
                record_audit(
                    db,
                    user.username,
                    "profile.create" if result.created else "profile.save",
                    f"profile:{profile_id}",
                    {
                        "previous_version": result.previous_version,
                        "version": result.profile.version,
                        "history_file": result.history_file,
                        "diff": result.diff,
                    },
                )
        except ConflictError as exc:
            errors = FieldErrors(general=[f"Profilen har ändrats av någon annan sedan du öppnade den. {exc}"])
            return _editor(request, profile_id, mode, fields, text, base_version, errors, status_code=409)
        except ProfileError as exc:  # e.g. another profile took the name a moment ago
            return _editor(
                request, profile_id, mode, fields, text, base_version, field_errors(str(exc)), status_code=422
            )
        log.info("profile %s saved by %s (version %s)", profile_id, user.username, result.profile.version)
        flash(
            request,
            f"Profilen ”{result.profile.name}” är sparad. Matchningarna räknas om vid nästa körning av matchningen.",
        )
        return RedirectResponse(f"/workshop/{profile_id}", status_code=303)

    preview = None
    preview_calls: dict = {}
    if action == "preview":
        preview, preview_calls = _preview(web, profile_id, edited)
    return _editor(
        request,
        profile_id,
        mode,
        fields,
        text,
        base_version,
        valid=edited,
        preview=preview,
        preview_calls=preview_calls,
    )


def _preview(web, profile_id: str, edited: Profile) -> tuple[ranking.PreviewView, dict]:
    raw = web.profiles.raw(profile_id)
    saved = None
    if raw is not None:
        try:
            saved = parse_profile(raw, f"{profile_id}.toml", profile_id)
        except ProfileError:
            saved = None
    index = ranking.open_calls_index(web.engine, web.cache)
    with read_session(web.engine) as db:
        feedback = feedback_for_profile(db, profile_id)
        view = ranking.preview(saved, edited, index, feedback=feedback, limit=20)
        titles = calls_by_ids(db, view.call_ids())
    return view, titles
