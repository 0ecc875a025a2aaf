"""Fuzzy payer names: rapidfuzz's token-set ratio, so "ACME PTE LTD" finds "Acme Pte. Ltd."
and word order ("Tan Mei Ling" / "Ling Tan Mei") does not matter."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils

from cash.application.ports import DirectoryAccount


class FuzzyNames:
    def similar(
        self, name: str, accounts: Sequence[DirectoryAccount], limit: int
    ) -> list[tuple[DirectoryAccount, float]]:
        if not name.strip() or not accounts:
            return []
        found = process.extract(
            name,
            [a.name for a in accounts],
            scorer=fuzz.token_set_ratio,
            processor=utils.default_process,
            limit=limit,
        )
        return [(accounts[index], score / 100) for _, score, index in found]
