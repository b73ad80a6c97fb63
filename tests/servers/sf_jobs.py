"""Bulk API 2.0 query jobs for the loopback Salesforce server, as the Bulk API 2.0 and Bulk API
Developer Guide describes them ("Understanding Bulk API 2.0 Query", "Create a Query Job", "Get
Information About a Query Job", "Get Results for a Query Job", "Abort a Query Job", "Delete a
Query Job"):

- POST /jobs/query creates a job (UploadComplete); it polls InProgress, then JobComplete.
- Results are CSV pages: `maxRecords`, `locator`; Sforce-Locator "null" on the last page.
- Bulk 2.0 "doesn't support SOQL queries that include ... aggregate functions such as COUNT()
  ... compound address fields or compound geolocation fields (instead, query the individual
  components)". The compound refusal is answered with the text the Bulk API is seen to send
  ("FUNCTIONALITY_NOT_ENABLED: Selecting compound data not supported in Bulk Query", quoted in
  jsforce#380 and simple-salesforce#182).
  (Which code and words a COUNT() job is refused with is not documented; those are ours.)
- PATCH {"state": "Aborted"} aborts: "You can only abort jobs that are in the following states:
  UploadComplete, InProgress".
- DELETE removes the job and its data, 204 No Content: "You can only delete a job if its state
  is JobComplete, Aborted, or Failed"; otherwise 400 API_ERROR "... the job is not terminated".
  The org keeps every undeleted job in `org.jobs`, so a test can assert none remain.
"""

from __future__ import annotations

import csv
import io
import json

from servers.sf_org import COMPOUNDS, VERSION, Org
from servers.sf_soql import COUNT, _get, csv_cell, run_soql

TERMINAL = ("JobComplete", "Aborted", "Failed")
NOT_FOUND = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]


def _error(code: str, message: str) -> list[dict]:
    return [{"errorCode": code, "message": message}]


def bulk(org: Org, kind: str, method: str, path: str, query: dict, body: bytes,
         headers: dict) -> tuple[int, object, dict]:
    if kind == "bulk-create":
        return _create(org, body, headers)
    job_id = path.split("/")[6]
    job = org.jobs.get(job_id)
    if job is None:  # never made, or deleted
        return 404, NOT_FOUND, headers
    if kind == "bulk-delete":
        if job["state"] not in TERMINAL:
            return 400, _error("API_ERROR", "Error encountered when deleting the job because "
                                            "the job is not terminated"), headers
        with org.lock:
            del org.jobs[job_id]
        return 204, None, headers
    if kind == "bulk-abort":
        if json.loads(body or b"{}").get("state") != "Aborted":
            return 400, _error("INVALIDJOBSTATE", "a query job can only be set to Aborted"), headers
        if job["state"] not in ("UploadComplete", "InProgress"):
            # the guide names the states that may be aborted; the error's wording is ours
            return 400, _error("API_ERROR", f"Cannot abort a job in state {job['state']}"), headers
        job["state"] = "Aborted"
        return 200, _info(job), headers
    if kind == "bulk-poll":
        job["polls"] += 1
        if job["state"] not in TERMINAL and job["polls"] > org.bulk_polls and org.bulk_fail:
            job["state"], job["errorMessage"] = "Failed", org.bulk_fail
        elif job["state"] not in TERMINAL:
            job["state"] = "JobComplete" if job["polls"] > org.bulk_polls else "InProgress"
        return 200, _info(job), headers
    if job["state"] != "JobComplete":
        return 400, _error("API_ERROR", f"job {job_id} is not complete"), headers
    start = int(query.get("locator") or 0)
    size = min(int(query.get("maxRecords") or org.bulk_page), org.bulk_page)
    chunk = job["records"][start:start + size]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(job["fields"])
    w.writerows([csv_cell(_get(r, f)) for f in job["fields"]] for r in chunk)
    more = start + size < len(job["records"])
    headers.update({"Sforce-Locator": str(start + size) if more else "null",
                    "Sforce-NumberOfRecords": str(len(chunk)), "Content-Type": "text/csv"})
    return 200, out.getvalue(), headers


def _create(org: Org, body: bytes, headers: dict) -> tuple[int, object, dict]:
    spec = json.loads(body or b"{}")
    operation = spec.get("operation", "query")
    obj, fields, records = run_soql(org, spec.get("query", ""), operation == "queryAll")
    if fields == [COUNT]:
        return 400, _error("INVALIDJOB", "Aggregate queries are not supported by Bulk API 2.0 "
                                         "query jobs"), headers
    compound = [f for f in fields if f in COMPOUNDS.get(obj, {})]
    if compound:
        return 400, _error("FUNCTIONALITY_NOT_ENABLED", "Selecting compound data not supported "
                                                        "in Bulk Query"), headers
    with org.lock:
        org.jobs_made += 1
        job_id = f"750{org.jobs_made:012d}"
        job = org.jobs[job_id] = {"id": job_id, "object": obj, "fields": fields,
                                  "records": records, "polls": 0, "state": "UploadComplete",
                                  "operation": operation}
    return 200, _info(job), headers


def _info(job: dict) -> dict:
    return {"id": job["id"], "operation": job["operation"], "object": job["object"],
            "state": job["state"], "concurrencyMode": "Parallel", "contentType": "CSV",
            "apiVersion": float(VERSION), "lineEnding": "LF", "columnDelimiter": "COMMA",
            "numberRecordsProcessed": len(job["records"]),
            **({"errorMessage": job["errorMessage"]} if job.get("errorMessage") else {})}
