from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator


class UniversityClaimsValidator(OAuth2Validator):
    """Releases the claims a university IdP sends: name parts, email, language, and the
    directory's affiliations and department (as RENATER's OIDC provider names them)."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "email": "email",
        "email_verified": "email",
        "name": "profile",
        "given_name": "profile",
        "family_name": "profile",
        "locale": "profile",
        "eduperson_affiliation": "profile",
        "supannEntiteAffectation": "profile",
    }

    def get_additional_claims(self, request) -> dict:
        user = request.user
        return {
            "name": f"{user.first_name} {user.last_name}".strip(),
            "given_name": user.first_name,
            "family_name": user.last_name,
            "email": user.email,
            "email_verified": True,
            "locale": "fr-FR",
            "eduperson_affiliation": ["member", "Student"],
            "supannEntiteAffectation": "UFR-MIM",
        }
