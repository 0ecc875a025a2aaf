"""One backend service over HTTP: the signed-in person's credential on every call, and the
service's refusals (RFC 9457 problem details) turned into the console's errors."""

from __future__ import annotations

import re
from typing import Any

import httpx

from console.application.ports import Credential, Doc, Download
from console.domain.errors import BackendRefused, BackendUnavailable, NotFound

_FILENAME = re.compile(r'filename="([^"]+)"')


class JsonApi:
    """``client``: an ``httpx.AsyncClient`` whose base URL is the service (tests pass one
    on the service's ASGI app); the adapter owns it only when it made it."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        client: httpx.AsyncClient | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.name = name
        self._own = client is None
        self.client = client or httpx.AsyncClient(base_url=base_url, timeout=timeout)

    async def close(self) -> None:
        if self._own:
            await self.client.aclose()

    @staticmethod
    def headers(who: Credential) -> dict[str, str]:
        out = {"Accept": "application/json"}
        if who.token:  # the services record the token's subject as the actor
            out["Authorization"] = f"Bearer {who.token}"
        return out

    async def send(
        self,
        method: str,
        path: str,
        who: Credential,
        *,
        params: dict[str, Any] | None = None,
        json: Doc | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        try:
            response = await self.client.request(
                method,
                path,
                params={k: v for k, v in (params or {}).items() if v not in (None, "")},
                json=json,
                headers={**self.headers(who), **(headers or {})},
            )
        except httpx.HTTPError as e:
            raise BackendUnavailable(self.name, str(e) or type(e).__name__) from e
        if response.status_code >= 500:
            retry_after = (
                response.headers.get("retry-after") if response.status_code == 503 else None
            )
            raise BackendUnavailable(
                self.name, f"answered {response.status_code}", retry_after=retry_after
            )
        if response.status_code >= 400:
            raise self.refusal(response)
        return response

    def refusal(self, response: httpx.Response) -> BackendRefused | NotFound:
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        if not isinstance(problem, dict):
            problem = {}
        detail = str(problem.get("detail") or problem.get("title") or response.reason_phrase)
        field = problem.get("field")
        if response.status_code == 404:
            return NotFound(detail, field=field)
        return BackendRefused(
            self.name, response.status_code, detail, rule=problem.get("rule"), field=field
        )

    async def get(self, path: str, who: Credential, **params: Any) -> Doc:
        body: Doc = (await self.send("GET", path, who, params=params)).json()
        return body

    async def post(self, path: str, body: Doc, who: Credential, **headers: str) -> Doc:
        answer: Doc = (await self.send("POST", path, who, json=body, headers=headers)).json()
        return answer

    async def download(self, path: str, who: Credential, fallback: str, **params: Any) -> Download:
        response = await self.send("GET", path, who, params=params)
        found = _FILENAME.search(response.headers.get("content-disposition", ""))
        return Download(
            content=response.content,
            media_type=response.headers.get("content-type", "application/octet-stream"),
            filename=found.group(1) if found else fallback,
        )

    async def ready(self) -> bool:
        try:
            response = await self.client.get("/readyz", timeout=3.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200
