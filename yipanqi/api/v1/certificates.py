"""/api/v1/certificates/: a person's certificate and what is due next, issue, verify, renew,
revoke, interim certificates, the printable PDF and the public check (R-CERT-1..5).

Rules live in yipanqi.certificates. Outside your scope is 404; refused input is 422 with a
field error map (the services' NotFound and Rejected, answered by api/v1/errors.py). The check endpoint needs no authentication and returns only the state.
"""

import datetime as dt

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from yipanqi.api.v1.common import ErrorOut, act, api_origin, require_casework
from yipanqi.certificates import selectors, services
from yipanqi.certificates.models import (
    Certificate,
    CertificateStatus,
    InterimCertificate,
    ProxyRelation,
    PublicState,
    Verification,
    VerificationKind,
)
from yipanqi.people.models import MaritalStatus

router = Router(tags=["certificates"])

NO_CASEWORK = "Your role does not see persons."


class VerificationOut(Schema):
    id: int
    certificate_id: int
    verified_on: dt.date
    unit_code: str
    verified_by: str
    kind: VerificationKind
    assessment_year: int
    due_on: dt.date
    late: bool = Field(..., description="R-CERT-3: after the 30 days from arrival; counted")
    days_after_arrival: int
    changed: bool
    marital_status_before: MaritalStatus
    marital_status_after: MaritalStatus
    children_before: int
    children_after: int
    change_notice_id: int | None = Field(None, description="the request that told home")
    note: str


class CertificateOut(Schema):
    id: int
    number: str
    person_id: int
    issuer_code: str
    issuer_name: str
    issued_on: dt.date
    valid_until: dt.date | None = Field(None, description="empty when long-term")
    long_term: bool
    status: CertificateStatus
    state: PublicState = Field(..., description="today: valid, expired or revoked")
    marital_status: MaritalStatus
    children: int
    proxy_name: str
    proxy_relation: str
    renewed_from_number: str | None
    revoked_reason: str
    check_url: str = Field(..., description="the public check behind the QR code")
    verifications: list[VerificationOut]


class InterimOut(Schema):
    id: int
    number: str
    person_id: int
    issuer_code: str
    issued_on: dt.date
    window_ends_on: dt.date = Field(..., description="R-CERT-4: a certificate is due by then")
    no_certificate_notice_id: int | None


class DueOut(Schema):
    what: str
    owner_code: str | None
    owner_name: str | None
    due_on: dt.date | None
    overdue: bool


class PersonCertificateOut(Schema):
    person_id: int
    state: PublicState | None
    certificate: CertificateOut | None
    interim: InterimOut | None
    next_due: list[DueOut]


class ProxyIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    relation: ProxyRelation
    interim_number: str = Field(..., min_length=1, max_length=24)


class IssueIn(Schema):
    children: int = Field(0, ge=0, le=20)
    long_term: bool = False
    proxy: ProxyIn | None = Field(None, description="R-CERT-1: a family member applies for her")


class VerifyIn(Schema):
    verified_on: dt.date | None = Field(None, description="default today")
    marital_status: MaritalStatus | None = Field(None, description="when it changed")
    children: int | None = Field(None, ge=0, le=20, description="when it changed")
    note: str = Field("", max_length=300)


class RenewIn(Schema):
    id_number: str = Field(..., min_length=1, max_length=24, description="from her ID card")
    old_number: str = Field(..., min_length=1, max_length=24)
    long_term: bool = False


class RevokeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


class CheckOut(Schema):
    state: PublicState
    label: str


class LateOut(Schema):
    year: int
    count: int
    results: list[VerificationOut]


def _check_url(request, certificate: Certificate) -> str:
    return request.build_absolute_uri(reverse("certificates:check", args=[certificate.token]))


def _verification(v: Verification) -> dict:
    return {
        **{
            f: getattr(v, f)
            for f in (
                "id", "certificate_id", "verified_on", "kind", "assessment_year", "due_on",
                "late", "days_after_arrival", "changed", "marital_status_before",
                "marital_status_after", "children_before", "children_after", "change_notice_id",
                "note",
            )
        },
        "unit_code": v.unit_id,
        "verified_by": str(v.verified_by),
    }  # fmt: skip


def _certificate(request, c: Certificate) -> dict:
    return {
        **{
            f: getattr(c, f)
            for f in (
                "id", "number", "person_id", "issued_on", "valid_until", "long_term", "status",
                "marital_status", "children", "proxy_name", "proxy_relation", "revoked_reason",
            )
        },
        "issuer_code": c.issuer_id,
        "issuer_name": str(c.issuer),
        "state": c.public_state(timezone.localdate()),
        "renewed_from_number": c.renewed_from.number if c.renewed_from_id else None,
        "check_url": _check_url(request, c),
        "verifications": [
            _verification(v)
            for v in c.verifications.select_related("verified_by", "registration")
        ],
    }  # fmt: skip


def _interim(i: InterimCertificate) -> dict:
    return {
        "id": i.pk,
        "number": i.number,
        "person_id": i.person_id,
        "issuer_code": i.issuer_id,
        "issued_on": i.issued_on,
        "window_ends_on": i.window_ends_on,
        "no_certificate_notice_id": i.notice_id,
    }


def _get(request, certificate_id: int) -> Certificate:
    require_casework(request, NO_CASEWORK)
    return services.access_certificate(request.auth, certificate_id)


def _holder(request, person_id: int):
    require_casework(request, NO_CASEWORK)
    return services.access_holder(request.auth, person_id, api_origin(request))


@router.get(
    "/persons/{int:person_id}",
    response=PersonCertificateOut,
    summary="A person's certificate, its state and what is due next",
)
def person_certificate(request, person_id: int):
    person = _holder(request, person_id)
    overview = selectors.certificate_overview(person, timezone.localdate())
    return {
        "person_id": person.pk,
        "state": overview.state,
        "certificate": _certificate(request, overview.certificate)
        if overview.certificate
        else None,
        "interim": _interim(overview.interim) if overview.interim else None,
        "next_due": [
            {
                "what": item.what,
                "owner_code": item.owner.code if item.owner else None,
                "owner_name": str(item.owner) if item.owner else None,
                "due_on": item.due_on,
                "overdue": item.overdue,
            }
            for item in overview.next_due
        ],
    }


@router.post(
    "/persons/{int:person_id}/issue",
    response={201: CertificateOut, 422: ErrorOut},
    summary="Issue her certificate (home township or delegated village; R-CERT-1)",
)
def issue(request, person_id: int, payload: IssueIn):
    """Free of charge and unconditional; three years, or long-term where her home province's
    rules grant it."""
    person = _holder(request, person_id)
    proxy = None
    if payload.proxy is not None:
        proxy = services.ProxyInput(
            payload.proxy.name, payload.proxy.relation, payload.proxy.interim_number
        )
    certificate = services.issue_certificate(
        person.pk,
        children=payload.children,
        long_term=payload.long_term,
        proxy=proxy,
        acting_user=request.auth,
        origin=api_origin(request),
    )
    return Status(
        201, _certificate(request, services.access_certificate(request.auth, certificate.pk))
    )


@router.post(
    "/persons/{int:person_id}/interim",
    response={201: InterimOut, 422: ErrorOut},
    summary="Issue an interim certificate of marital status (residence township; R-CERT-4)",
)
def interim(request, person_id: int):
    """Gives her 60 days to obtain a certificate and sends the home side a no-certificate
    notice (R-EX-2)."""
    person = _holder(request, person_id)
    issued = services.issue_interim_certificate(
        person.pk, acting_user=request.auth, origin=api_origin(request)
    )
    return Status(201, _interim(issued))


@router.get(
    "/verifications/late",
    response=LateOut,
    summary="Verifications made in your area after the 30 days (R-CERT-3)",
)
def late(request, year: int | None = None):
    require_casework(request, NO_CASEWORK)
    year = year or timezone.localdate().year
    rows = selectors.late_verifications(request.auth, year=year)
    return {"year": year, "count": rows.count(), "results": [_verification(v) for v in rows[:500]]}


@router.get(
    "/check/{token}",
    response=CheckOut,
    auth=None,
    summary="Public check behind the QR code: valid, expired, revoked or unknown",
)
def check(request, token: str):
    """No authentication and no personal data (R-CERT-5)."""
    state = services.check_token(token[:64])
    return {"state": state, "label": str(PublicState(state).label)}


@router.get("/{int:certificate_id}", response=CertificateOut, summary="One certificate")
def get_certificate(request, certificate_id: int):
    return _certificate(request, _get(request, certificate_id))


@router.post(
    "/{int:certificate_id}/verify",
    response={201: VerificationOut, 422: ErrorOut},
    summary="Verify at the residence (R-CERT-3)",
)
def verify(request, certificate_id: int, payload: VerifyIn):
    """Within 30 days of arrival, then yearly; a change of status is sent home."""
    certificate = _get(request, certificate_id)
    verification = act(request, services.verify_certificate, certificate.pk, payload=payload)
    return Status(201, _verification(verification))


@router.post(
    "/{int:certificate_id}/renew",
    response={201: CertificateOut, 422: ErrorOut},
    summary="Renew on her ID card and the old certificate (R-CERT-2)",
)
def renew(request, certificate_id: int, payload: RenewIn):
    """The residence is notified with a certificate_notice request."""
    certificate = _get(request, certificate_id)
    renewed = act(request, services.renew_certificate, certificate.pk, payload=payload)
    return Status(201, _certificate(request, services.access_certificate(request.auth, renewed.pk)))


@router.post(
    "/{int:certificate_id}/revoke",
    response={200: CertificateOut, 422: ErrorOut},
    summary="Revoke a certificate (home side)",
)
def revoke(request, certificate_id: int, payload: RevokeIn):
    certificate = _get(request, certificate_id)
    act(request, services.revoke_certificate, certificate.pk, payload=payload)
    return Status(
        200, _certificate(request, services.access_certificate(request.auth, certificate.pk))
    )


@router.get(
    "/{int:certificate_id}/pdf",
    summary="The printable certificate (PDF; audited: it carries her ID number)",
    response={200: None},
    openapi_extra={
        "responses": {"200": {"description": "PDF", "content": {"application/pdf": {}}}}
    },
)
def pdf(request, certificate_id: int):
    certificate = _get(request, certificate_id)
    certificate, content = services.certificate_pdf(
        request.auth, certificate.pk, check_url=_check_url(request, certificate),
        origin=api_origin(request),
    )  # fmt: skip
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.number}.pdf"'
    return response


@router.get(
    "/interims/{int:interim_id}/pdf",
    summary="The printable interim certificate of marital status (PDF; audited; R-CERT-4)",
    response={200: None},
    openapi_extra={
        "responses": {"200": {"description": "PDF", "content": {"application/pdf": {}}}}
    },
)
def interim_pdf(request, interim_id: int):
    require_casework(request, NO_CASEWORK)
    interim, content = services.interim_pdf(request.auth, interim_id, origin=api_origin(request))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="interim-{interim.number}.pdf"'
    return response
