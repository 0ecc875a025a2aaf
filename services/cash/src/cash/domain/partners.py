"""A payment partner's CSV layout, saved once per partner and used for every file.

Banks, card gateways and e-wallets send settlement files in their own columns. The mapping
names which column holds what; ``amount``, ``value_date`` and ``entry_ref`` are required,
the rest optional. Amounts are read as decimal numbers (a decimal comma if the partner
writes one); a negative amount is money out.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cash.domain.errors import InvalidMapping
from cash.domain.money import places

REQUIRED = ("amount", "value_date", "entry_ref")
OPTIONAL = ("currency", "payer_name", "remittance", "end_to_end_id", "fee", "gross")


class CsvMapping(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: dict[str, str] = Field(
        description=f"what -> column header; required: {', '.join(REQUIRED)}; "
        f"optional: {', '.join(OPTIONAL)}",
        examples=[{"amount": "Net", "value_date": "Settled on", "entry_ref": "Txn ID"}],
    )
    currency: str | None = Field(None, description="the currency when no column says it")
    bank_account: str = Field(
        min_length=1, max_length=64, description="the partner account the money settles on"
    )
    date_format: str = Field("%Y-%m-%d", description="strptime format of the dates")
    delimiter: str = Field(",", min_length=1, max_length=1)
    decimal_comma: bool = False

    @field_validator("columns")
    @classmethod
    def _known(cls, columns: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(columns) - set(REQUIRED) - set(OPTIONAL))
        if unknown:
            raise ValueError(f"unknown fields {', '.join(unknown)}")
        missing = [f for f in REQUIRED if not columns.get(f)]
        if missing:
            raise ValueError(f"a column is needed for {', '.join(missing)}")
        return columns

    def checked(self) -> CsvMapping:
        """Rules that need more than one field: a currency from somewhere, a known one."""
        if "currency" not in self.columns and not self.currency:
            raise InvalidMapping("give a currency column or a fixed currency", field="currency")
        if self.currency:
            try:
                places(self.currency)
            except Exception:
                raise InvalidMapping(
                    f"{self.currency!r} is not an ISO 4217 currency", field="currency"
                ) from None
        return self
