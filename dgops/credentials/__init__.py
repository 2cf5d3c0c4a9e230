"""Portal credentials per agency and cycle: usernames, one-time activation codes, passwords.

Only argon2id hashes are stored; a plaintext code lives only in the :class:`ActivationCode`
returned by :func:`issue_credentials`, for the letter that carries it. A forgotten password is
reset through a one-time link (:func:`issue_reset_token`, :func:`redeem_reset_token`) whose
token is stored as a SHA-256 hash.
"""

from __future__ import annotations

from dgops.credentials.codes import (
    ACTIVATION_PROFILE,
    ALPHABET,
    PASSWORD_PROFILE,
    ActivationCode,
    CodePipeline,
    HashProfile,
    new_activation_code,
)
from dgops.credentials.reset import (
    DEFAULT_RESET_TTL,
    RESET_PATH,
    ResetTokenError,
    ResetTokenProblem,
    check_reset_token,
    issue_reset_token,
    redeem_reset_token,
    reset_link,
)
from dgops.credentials.service import (
    ActivationResult,
    CredentialError,
    CredentialPolicy,
    IssuedCredential,
    IssueReport,
    PasswordPolicyError,
    issue_credentials,
    make_username,
    password_problems,
    set_password,
    verify_activation,
    verify_password,
)

__all__ = [
    "ACTIVATION_PROFILE",
    "ALPHABET",
    "DEFAULT_RESET_TTL",
    "PASSWORD_PROFILE",
    "RESET_PATH",
    "ActivationCode",
    "ActivationResult",
    "CodePipeline",
    "CredentialError",
    "CredentialPolicy",
    "HashProfile",
    "IssueReport",
    "IssuedCredential",
    "PasswordPolicyError",
    "ResetTokenError",
    "ResetTokenProblem",
    "check_reset_token",
    "issue_credentials",
    "issue_reset_token",
    "make_username",
    "new_activation_code",
    "password_problems",
    "redeem_reset_token",
    "reset_link",
    "set_password",
    "verify_activation",
    "verify_password",
]
