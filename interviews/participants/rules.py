"""What makes a participant's fields valid: pure functions, no Flask, no database."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import geocoder

# Free attributes a profile may hold, and how long a key and a value may be.
MAX_ATTRIBUTES = 30
MAX_ATTRIBUTE_KEY = 60
MAX_ATTRIBUTE_VALUE = 500


class InvalidField(ValueError):
    """A field's value cannot be used; the message says how to write it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_email(raw: str) -> str:
    """The address as stored: validated (no DNS look-up), lower-cased."""
    try:
        return validate_email((raw or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvalidField("email", "Enter an email address like name@company.com.") from None


def normalise_phone(raw: str, default_region: str = "US") -> str:
    """E.164 ("+4930123456"), or "" for no number. Numbers without a leading + are read
    as ``default_region``'s."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    international = raw.startswith("+")
    try:
        parsed = phonenumbers.parse(raw, None if international else default_region)
    except phonenumbers.NumberParseException as error:
        if international and error.error_type == phonenumbers.NumberParseException.TOO_LONG:
            raise InvalidField("phone", "This phone number is too long for any country.") from None
        if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise InvalidField(
                "phone", "The digits after + are not a country code. " + _WITH_COUNTRY_CODE
            ) from None
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise InvalidField("phone", _phone_problem(parsed if international else None))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


_WITH_COUNTRY_CODE = "Enter a phone number with its country code, like +49 30 1234567."
_LENGTH_PROBLEMS = {
    phonenumbers.ValidationResult.TOO_SHORT: "is too short",
    phonenumbers.ValidationResult.TOO_LONG: "is too long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "has the wrong number of digits",
}


def _phone_problem(parsed: phonenumbers.PhoneNumber | None) -> str:
    """What is wrong with a number written with a + and a country code, for that country,
    with an example of a number there; the general advice for anything else."""
    if parsed is None:
        return _WITH_COUNTRY_CODE
    code = parsed.country_code
    region = phonenumbers.region_code_for_country_code(code)  # the code's main country
    mobile = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    example = mobile or phonenumbers.example_number(region)
    # +1 is the US, Canada and the Caribbean alike: no one country's name fits it.
    place = (
        "North America (+1)"
        if code == 1
        else f"{geocoder.country_name_for_number(example, 'en')} (+{code})"
    )
    length = phonenumbers.is_possible_number_with_reason(parsed)
    problem = (
        f"This phone number {_LENGTH_PROBLEMS[length]} for {place}"
        if length in _LENGTH_PROBLEMS
        else f"This phone number is not valid in {place}: check the digits after +{code}"
    )
    written = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    kind = "A mobile number" if mobile else "A number"
    return f"{problem}. {kind} there looks like {written}."


def clean_name(raw: str) -> str:
    """A person's name with its spacing tidied; 1 to 120 characters."""
    name = " ".join((raw or "").split())
    if not name or len(name) > 120:
        raise InvalidField("name", "Enter a name (at most 120 characters).")
    return name


def clean_attributes(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Key/value attributes in the order given; blank keys dropped, a repeated key keeps
    its last value."""
    attributes: dict[str, str] = {}
    for key, value in pairs:
        key, value = " ".join((key or "").split()), (value or "").strip()
        if not key:
            continue
        if len(key) > MAX_ATTRIBUTE_KEY or len(value) > MAX_ATTRIBUTE_VALUE:
            raise InvalidField(
                "attributes",
                f"An attribute's name can be {MAX_ATTRIBUTE_KEY} characters and its value "
                f"{MAX_ATTRIBUTE_VALUE}.",
            )
        attributes.pop(key, None)
        attributes[key] = value
    if len(attributes) > MAX_ATTRIBUTES:
        raise InvalidField("attributes", f"A profile holds at most {MAX_ATTRIBUTES} attributes.")
    return attributes
