"""harbor-platform backend: quotes and policies for the React quote page (FastAPI + PostgreSQL).

    GET  /health          200 when PostgreSQL answers, 503 when it does not
    GET  /version         release and what it does
    POST /api/quotes      price a vessel with the harbor-quote service, store vessel + policy → 201
    GET  /api/policies    the latest policies (?limit=1..200)

Run: DATABASE_URL=postgres://… PRICING_URL=http://127.0.0.1:3000 APP_VERSION=1.0.0 \
     /usr/bin/python3 -m uvicorn app:app --host 127.0.0.1 --port 8000
"""

import logging

import psycopg
from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse

import release
from db import Pool, database_url
from models import Policies, Policy, QuoteAnswer, QuoteRequest
from pricing import PricingError, premium_for, pricing_url

pool = Pool(database_url())
PRICING = pricing_url()
app = FastAPI(title="harbor-platform", version=release.RELEASE)
log = logging.getLogger("uvicorn.error")


@app.middleware("http")
async def release_header(request, call_next):
    # The page, the canary probes and the tests read which release answered from this header.
    response = await call_next(request)
    response.headers["x-release"] = release.RELEASE
    return response


@app.exception_handler(psycopg.Error)
def database_failed(request, error: psycopg.Error):
    # A JSON 500 that says which statement class failed; the DSN never appears in psycopg's messages.
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    log.error("%s %s failed in the database: %s", request.method, request.url.path, first_line)
    return JSONResponse(status_code=500, content={"error": f"database: {first_line}", "release": release.RELEASE})


@app.exception_handler(PricingError)
def pricing_failed(request, error: PricingError):
    log.error("%s %s: %s", request.method, request.url.path, error)
    return JSONResponse(status_code=502, content={"error": str(error), "release": release.RELEASE})


@app.on_event("shutdown")
def close_pool() -> None:
    pool.close()


@app.get("/health")
def health():
    try:
        with pool.connection() as conn:
            conn.execute("select 1")
    except psycopg.Error as e:
        return JSONResponse(status_code=503, content={"status": "database unreachable", "error": type(e).__name__})
    return {"status": "ok", "release": release.RELEASE}


@app.get("/version")
def version():
    features = {"flagState": release.STORES_FLAG_STATE, "coverType": release.STORES_COVER_TYPE}
    return {"release": release.RELEASE, "features": features}


@app.post("/api/quotes", status_code=201, response_model=QuoteAnswer)
def create_quote(quote: QuoteRequest):
    # Priced before the transaction opens, so no row lock waits on the network.
    priced = premium_for(PRICING, quote.tonnage, quote.vesselClass, quote.routeRisk)
    flag = quote.flagState if release.STORES_FLAG_STATE else None
    with pool.connection() as conn, conn.transaction():
        vessel_id = insert_vessel(conn, quote, flag)
        policy_id = insert_policy(conn, vessel_id, quote.routeRisk, priced)
    return QuoteAnswer(
        policyId=policy_id,
        vesselId=vessel_id,
        vesselName=quote.vesselName,
        flagState=flag,
        premium=priced["premium"],
        currency=priced["currency"],
        release=release.RELEASE,
        pricingRelease=priced["release"],
    )


def insert_vessel(conn, quote: QuoteRequest, flag):
    if release.STORES_FLAG_STATE:
        sql = "insert into vessels (name, vessel_class, tonnage, flag_state) values (%s, %s, %s, %s) returning id"
        return conn.execute(sql, (quote.vesselName, quote.vesselClass, quote.tonnage, flag)).fetchone()[0]
    sql = "insert into vessels (name, vessel_class, tonnage) values (%s, %s, %s) returning id"
    return conn.execute(sql, (quote.vesselName, quote.vesselClass, quote.tonnage)).fetchone()[0]


def insert_policy(conn, vessel_id: int, route_risk: int, priced: dict):
    columns = "vessel_id, route_risk, premium, currency, backend_release, pricing_release"
    values = [vessel_id, route_risk, priced["premium"], priced["currency"], release.RELEASE, priced["release"]]
    if release.STORES_COVER_TYPE:
        # 3.x: the column this needs was never migrated (the bug the canary has to catch).
        columns += ", cover_type"
        values.append("hull-and-machinery")
    placeholders = ", ".join(["%s"] * len(values))
    sql = f"insert into policies ({columns}) values ({placeholders}) returning id"
    return conn.execute(sql, values).fetchone()[0]


@app.get("/api/policies", response_model=Policies)
def list_policies(limit: int = Query(50, ge=1, le=200)):
    flag = "v.flag_state" if release.STORES_FLAG_STATE else "null"
    sql = (
        "select p.id, v.name, v.vessel_class, v.tonnage, " + flag + ", p.route_risk, p.premium, p.currency, "
        "p.backend_release, p.pricing_release, p.created_at from policies p join vessels v on v.id = p.vessel_id "
        "order by p.id desc limit %s"
    )
    with pool.connection() as conn:
        rows = conn.execute(sql, (limit,)).fetchall()
    return Policies(policies=[policy_of(row) for row in rows])


def policy_of(row) -> Policy:
    (id_, name, vessel_class, tonnage, flag, route_risk, premium, currency, backend, pricing, created) = row
    return Policy(
        id=id_,
        vesselName=name,
        vesselClass=vessel_class,
        tonnage=tonnage,
        flagState=flag,
        routeRisk=route_risk,
        premium=float(premium),
        currency=currency,
        release=backend,
        pricingRelease=pricing,
        createdAt=created.isoformat(),
    )
