"""The API: vetiver's app for the pinned model, with ``/predict`` checked row by row and the tables' routes."""

from __future__ import annotations

from scripts import config
from scripts.api.limits import RequestLimits
from scripts.api.model import input_domain, load_model, row_model, shown, use_row_predictor


def create_app(location: str | None = None, version: str | None = None):
    """The FastAPI app of the vetiver API for the pinned model.

    vetiver's ``VetiverAPI`` gives ``/ping``, ``/metadata``, ``/prototype`` and the
    docs; ``/predict`` is declared here, with the row model of ``row_model`` and
    at most ``REPORT_API_MAX_ROWS`` rows, so FastAPI checks every request before
    the model sees it. ``RequestLimits`` bounds the body.
    """
    from typing import Annotated

    import pydantic
    import vetiver
    from fastapi import Body
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from vetiver.helpers import api_data_to_frame

    limits = config.get_api_limits()
    model = load_model(location or config.get_board(), version)
    use_row_predictor(model)
    domain = input_domain(model)
    model.prototype = row_model(model, domain)  # /prototype shows the rules too
    api = vetiver.VetiverAPI(model, check_prototype=True)
    app = api.app
    app.router.routes = [route for route in app.router.routes if getattr(route, "path", None) != "/predict"]
    app.openapi_schema = None
    rows = Annotated[list[model.prototype], Body(min_length=1, max_length=limits["max_rows"])]

    class Problem(pydantic.BaseModel):
        detail: list[dict]

    def predict(input_data):
        return {"predict": model.handler_predict(api_data_to_frame(input_data), True)}

    # set here, not written in the signature: this module's annotations are strings
    # (from __future__), which FastAPI would look up among the module's globals
    predict.__annotations__["input_data"] = rows
    app.post(
        "/predict",
        summary="Predict body mass (g)",
        description=(
            f"A JSON list of 1 to {limits['max_rows']:,} rows (REPORT_API_MAX_ROWS), at most "
            f"{limits['max_body_bytes']:,} bytes (REPORT_API_MAX_BODY_BYTES). Each row is a penguin's "
            "measurements, species, island and sex, within the ranges and values shown in its schema; "
            'a row outside them gets 422 naming the row and the field. Answers {"predict": [grams, ...]}.'
        ),
        responses={
            408: {"model": Problem, "description": "The body did not arrive in time (REPORT_API_TIMEOUT)."},
            413: {"model": Problem, "description": "The body is larger than REPORT_API_MAX_BODY_BYTES."},
            422: {
                "model": Problem,
                "description": "A row outside the model's domain, too many or no rows, or a body that is not "
                "JSON (not UTF-8, malformed, nested too deep, numbers too long).",
            },
        },
    )(predict)

    async def invalid(request, exc: RequestValidationError):
        return JSONResponse(status_code=422, content={"detail": shown(exc.errors(), domain)})

    app.add_exception_handler(RequestValidationError, invalid)
    from scripts.api import tables
    from scripts.board_read import open_board

    tables.add_routes(app, open_board(location or config.get_board()))
    app.add_middleware(RequestLimits, max_body_bytes=limits["max_body_bytes"], timeout=limits["timeout"])
    app.title = "Palmer penguins body-mass API"
    app.state.model_version = model.metadata.version
    app.state.guarded = bool(domain)
    app.state.timeout = limits["timeout"]
    return app
