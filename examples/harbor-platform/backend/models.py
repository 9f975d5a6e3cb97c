"""Request and answer bodies. Pydantic validates the request, so bad input is a 422 naming the field."""

from typing import List, Literal, Optional

from pydantic import BaseModel, Field, validator

VesselClass = Literal["bulk", "container", "tanker", "passenger", "fishing"]


class QuoteRequest(BaseModel):
    vesselName: str = Field(..., min_length=1, max_length=120)
    tonnage: int = Field(..., ge=1, le=500_000, description="gross tonnes")
    vesselClass: VesselClass
    routeRisk: int = Field(..., ge=1, le=5, description="1 sheltered coastal … 5 war-risk or ice waters")
    # Read from 2.0.0 on; a 1.x backend ignores it, so a 2.0.0 page talking to a 1.x backend still works.
    flagState: Optional[str] = Field(None, description="ISO 3166 alpha-2 code of the flag, e.g. PA")

    @validator("vesselName")
    def name_has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @validator("flagState")
    def flag_is_a_country_code(cls, value: Optional[str]) -> Optional[str]:
        if value is None or value == "":
            return None
        code = value.strip().upper()
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise ValueError("expected a two-letter country code such as PA, LR or MT")
        return code


class QuoteAnswer(BaseModel):
    policyId: int
    vesselId: int
    vesselName: str
    flagState: Optional[str]
    premium: float
    currency: str
    release: str
    pricingRelease: str


class Policy(BaseModel):
    id: int
    vesselName: str
    vesselClass: str
    tonnage: int
    flagState: Optional[str]
    routeRisk: int
    premium: float
    currency: str
    release: str
    pricingRelease: str
    createdAt: str


class Policies(BaseModel):
    policies: List[Policy]
