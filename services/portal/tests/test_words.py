"""Words, not codes (issue 17): company, park and bank names beside the codes, amounts in 万元 with
separators, the person who acted by name, deductions as sentences; and bad input in a filter said
beside the filter."""
from __future__ import annotations

import re

from services.portal.tests.helpers import a_park, promote
from shared.clock import today
from shared.testing import make_uscc, wrong_check

RAW = ("national_little_giant", "municipal_srdi", "event:", "{'", "park-", "award.tier.", ">tier<", ">reviewed<")


def visible(html: str) -> str:
    """The page's text and attribute values a reader meets (not the URLs of its links and forms)."""
    html = re.sub(r'(href|action|value|for|id|name|list|aria-describedby)="[^"]*"', "", html)
    return re.sub(r'<span class="hint code">[^<]*</span>', "", html)


def no_raw_code(html: str, where: str) -> None:
    text = visible(html)
    for code in RAW:
        assert code not in text, (where, code, text[max(0, text.find(code) - 200):text.find(code) + 100])


async def test_queues_name_the_enterprise_the_payee_the_park_and_the_person(portal, suite):
    park = await a_park(suite)
    u = make_uscc()
    await promote(suite, u, name="北京名称测试精密有限公司", park_id=park["id"])
    r = suite.client("registry")
    assert (await r.post(f"/api/v1/enterprises/{u}/certifications",
                         json={"tier": "national_little_giant", "recognized_on": "2025-09-01"})).status_code == 201
    await suite.settled()
    items = (await suite.client("awards").get(f"/api/v1/awards?uscc={u}")).json()["items"]
    top = next(x for x in items if x["tier"] == "national_little_giant")
    assert top["basis"].get("deductions"), top  # the earlier tier award is deducted

    # econ signs in by name; the queue names the company, amounts in 万元 and in 元 with separators.
    token = await portal.csrf()
    await portal.http.post("/login", data={"role": "econ", "name": "李明", "csrf_token": token})
    queue = (await portal.http.get("/awards", params={"uscc": u.lower()})).text
    assert "北京名称测试精密有限公司" in queue and "30 万元" in queue and "300,000 元" in queue
    assert f'id="award-{top["id"]}"' in queue
    no_raw_code(queue, "/awards")
    r = await portal.post(f"/awards/{top['id']}/review", {"note": "同意", "next": "/awards"}, page="/awards")
    assert "北京名称测试精密有限公司" in (await portal.http.get(r.headers["location"])).text  # the flash names it
    detail = (await portal.http.get(f"/awards/{top['id']}")).text
    assert "区经信局（牵头） 李明" in detail  # who reviewed, by the name given at sign-in
    assert "系统自动" in detail  # the award computed by the event handler
    assert "企业：北京名称测试精密有限公司" in detail  # the payee by name
    assert re.search(r"奖励 \d+（北京市专精特新中小企业）已获 300,000 元，予以扣除", detail)  # not a dict
    assert "奖励·层级奖励·国家级专精特新“小巨人”企业" in detail  # the policy key in words
    no_raw_code(detail, "/awards/{id}")

    # The enterprise page and the search: the park by name; the park filter is a select of names.
    page = (await portal.http.get(f"/enterprises/{u}")).text
    assert f"<dt>园区</dt><dd>{park['name']}</dd>" in page
    no_raw_code(page, "/enterprises/{uscc}")
    search = (await portal.http.get("/enterprises", params={"park_id": park["id"]})).text
    assert f'<option value="{park["id"]}" selected>{park["name"]}</option>' in search
    assert f"<td>{park['name']}</td>" in search and "北京名称测试精密有限公司" in search
    no_raw_code(search, "/enterprises")
    parks = (await portal.http.get("/parks")).text
    assert park["name"] in parks and f">{park['id']}<" not in parks

    # A loan case by a listed bank: the bank by name on the timeline.
    bank = suite.client("finance", role="bank", org="BOB")
    r = await bank.post("/api/v1/loans", json={"uscc": u, "applied_yuan": 2_000_000, "applied_on": "2025-10-01"})
    assert r.status_code == 201, r.text
    await portal.login("finance")
    page = (await portal.http.get(f"/enterprises/{u}")).text
    assert f"贷款案件 {r.json()['id']}（北京银行）申请 2,000,000 元" in page


async def test_an_invalid_uscc_in_a_filter_is_said_beside_the_filter(portal, suite):
    await portal.login("econ")
    for path in ("/awards", "/reminders"):
        for typed, says in (("123", "长度应为 18 位"), (wrong_check(make_uscc()), "校验位不符")):
            r = await portal.http.get(path, params={"uscc": typed})
            assert r.status_code == 422, (path, typed)
            assert 'id="uscc-error"' in r.text and says in r.text and "统一社会信用代码无效" in r.text, (path, typed)
            assert 'aria-invalid="true" aria-describedby="uscc-error"' in r.text and f'value="{typed}"' in r.text
            assert "没有待办的奖励" not in r.text and "暂无提醒" not in r.text
    # A valid code with nothing to do says so about that enterprise.
    r = await portal.http.get("/awards", params={"uscc": make_uscc()})
    assert r.status_code == 200 and "该企业没有待办的奖励" in r.text and "uscc-error" not in r.text


async def test_talent_names_the_enterprises(portal, suite):
    u = make_uscc()
    await promote(suite, u, name="北京人才名称测试有限公司", tier="national_little_giant")
    await suite.wait_for(lambda: _has_quota(suite, u), "the talent service's quota")
    await portal.login("talent")
    page = (await portal.http.get("/talent")).text
    assert f'<a href="/enterprises/{u}">北京人才名称测试有限公司</a>' in page
    no_raw_code(page, "/talent")


async def _has_quota(suite, u: str) -> bool:
    r = await suite.client("talent", "talent").get(f"/api/v1/quotas?uscc={u}&limit=500")
    return r.status_code == 200 and bool(r.json()["items"])


async def test_every_policy_parameter_reads_in_words(portal, suite):
    """The 政策参数 page names each key in Chinese: a key a migration seeds with a word the portal
    does not know (as award.recovery.due_days once did) would show its code to the liaison."""
    from services.portal.labels import param_key
    code_word = re.compile(r"[a-z]+(_[a-z]+)*")
    codes = []
    for service in suite.services:
        if service == "portal":
            continue
        r = await suite.client(service).get("/api/v1/policy")
        if r.status_code == 404:
            continue  # a service without policy parameters
        assert r.status_code == 200, (service, r.text)
        for p in r.json()["parameters"]:
            words = param_key(p["key"])
            codes += [(service, p["key"], words)] if code_word.search(words) else []
    assert not codes, "\n".join(f"{s} {k} {w}" for s, k, w in codes)


async def test_every_seeded_legal_reference_reads_in_chinese(portal, suite):
    """The 政策依据 the migrations seed, as the 政策参数 page shows them to the liaisons: in Chinese,
    naming the policy documents (the proposal, the bureau's reply, the MIIT measures) — no English,
    no design file or issue number, no value codes such as true/false."""
    latin = re.compile(r"[A-Za-z]{2,}")
    english = []
    for service in suite.services:
        if service == "portal":
            continue
        r = await suite.client(service, role="auditor").get("/api/v1/policy/history")
        if r.status_code == 404:
            continue  # a service without policy parameters
        assert r.status_code == 200, (service, r.text)
        english += [(service, v["key"], v["legal_ref"]) for v in r.json()["items"]
                    if v["set_by"] == "migration" and latin.search(v["legal_ref"])]
    assert not english, "\n".join(f"{s} {k}: {ref}" for s, k, ref in english)


async def test_a_user_signed_in_without_a_name_is_their_department_once(portal, suite):
    """econ signed in without a name reads its own actions as 区经信局（牵头）, once (it read
    区经信局（牵头） 区经信局（牵头）): an award's 办理人, the audit log's 操作人, a policy version's 设定."""
    u = make_uscc()
    await promote(suite, u, name="北京办理人测试有限公司")
    [award] = (await suite.client("awards").get("/api/v1/awards", params={"uscc": u})).json()["items"]
    await portal.login("econ")
    r = await portal.post(f"/awards/{award['id']}/review", {"note": "同意", "next": "/awards"}, page="/awards")
    assert r.status_code == 303, r.text
    r = await portal.post("/policy/registry/versions", {
        "effective_from": f"{today().year + 7}-01-01", "legal_ref": "《房山区促进专精特新中小企业高质量发展若干措施》第九条",
        "v|service_package.deadline_days": "16"}, page="/policy?service=registry")
    assert r.status_code == 303, r.text
    twice = "区经信局（牵头） 区经信局（牵头）"
    detail = (await portal.http.get(f"/awards/{award['id']}")).text
    assert "<td>区经信局（牵头）</td>" in detail and twice not in detail
    log = (await portal.http.get("/audit-log", params={"service": "awards", "object_type": "award",
                                                       "object_id": str(award["id"])})).text
    assert "<td>区经信局（牵头）</td>" in log and twice not in log
    policy = (await portal.http.get("/policy", params={"service": "registry"})).text
    assert "<td>区经信局（牵头）<br>" in policy and twice not in policy


def test_a_request_category_has_the_registrys_words():
    """The portal names a request's category as the registry's own sentences do (空间载体 and 用地空间
    were the same category)."""
    from services.portal.labels import REQUEST_CATEGORY_LABELS
    from services.registry.service_package.rules import CATEGORY_ZH
    assert REQUEST_CATEGORY_LABELS == CATEGORY_ZH
