"""市级平台任务: econ starts a sync of the municipal platform's published list from the portal, follows the
job to its end, and reads the list of jobs (a failure with its reason under 失败); the auditor reads,
its post 403."""
from __future__ import annotations

from services.portal.tests.helpers import platform_simulator
from services.portal.tests.test_programme_year import wait_page
from services.portal.tests.test_words import no_raw_code


async def test_econ_syncs_the_platforms_list_and_reads_the_jobs(portal, suite):
    with platform_simulator(suite):
        await portal.login("econ")
        page = (await portal.http.get("/platform-jobs")).text
        assert "从市级平台同步认定名单" in page
        r = await portal.post("/platform-jobs/sync", {"form_id": "sync-1"}, page="/platform-jobs")
        assert r.status_code == 303 and r.headers["location"].startswith("/platform-jobs/")
        job_path = r.headers["location"]
        page = await wait_page(suite, portal, job_path, "已完成")
        assert "同步公示名单" in page
    job_id = job_path.rsplit("/", 1)[1]
    page = (await portal.http.get("/platform-jobs")).text
    assert f'href="/platform-jobs/{job_id}"' in page and "同步公示名单" in page and "已完成" in page
    no_raw_code(page, "/platform-jobs")
    assert f'href="/platform-jobs/{job_id}"' not in (await portal.http.get("/platform-jobs", params={"state": "failed"})).text

    await portal.login("auditor")
    page = (await portal.http.get("/platform-jobs")).text
    assert f'href="/platform-jobs/{job_id}"' in page and "从市级平台同步认定名单" not in page
    assert (await portal.post("/platform-jobs/sync", {}, page="/platform-jobs")).status_code == 403
