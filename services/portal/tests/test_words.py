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


async def test_the_registry_audit_log_says_a_requests_moves_and_codes_in_words(portal, suite):
    """A service request's audit rows: the move as the bureau says it (登记, 受理, 办结, 退回; they read
    服务包诉求 accepted), its category, department and state in words (类别：finance, 状态：open)."""
    u = make_uscc()
    await promote(suite, u, name="北京诉求审计测试有限公司")
    econ, fin = suite.client("registry"), suite.client("registry", "finance")
    ids = []
    for moves in ((("accepted", None), ("resolved", "已对接银行")), (("rejected", "不属于服务包范围"),)):
        req = (await econ.post("/api/v1/service-requests", json={"uscc": u, "category": "finance",
                                                                 "summary": "咨询专精特新贷"})).json()
        ids.append(req["id"])
        for state, note in moves:
            r = await fin.post(f"/api/v1/service-requests/{req['id']}/transition",
                               json={"state": state, **({"note": note} if note else {})})
            assert r.status_code == 200, r.text
    await portal.login("auditor")
    pages = [(await portal.http.get("/audit-log", params={"service": "registry", "object_type": "service_request",
                                                          "object_id": str(i)})).text for i in ids]
    for verb in ("服务包诉求 登记", "服务包诉求 受理", "服务包诉求 办结"):
        assert f"<td>{verb}</td>" in pages[0], verb
    assert "<td>服务包诉求 退回</td>" in pages[1]
    for said in ("类别</span>：融资<", "承办部门</span>：区金融服务办<", "状态</span>：待受理<", "状态</span>：已受理<",
                 "状态</span>：已办结<"):
        assert said in pages[0], said
    assert "状态</span>：已退回<" in pages[1]
    for page in pages:
        text = visible(page)
        for code in (" accepted", " resolved", " rejected", "：finance<", "：open<", "：accepted<"):
            assert code not in text, code


async def test_the_finance_audit_log_reads_a_listing_pipeline(portal, suite):
    """A listing pipeline's audit rows (对象 listing_pipeline, fields 其他信息 and a JSON list of stages):
    上市培育, each field labelled, the stage and the board in words, the stages as a list."""
    u = make_uscc()
    await promote(suite, u, name="北京上市审计测试有限公司")
    fin = suite.client("finance", role="finance")
    for stage, on, board in (("shareholding_reform", "2025-01-10", None), ("coaching_filed", "2025-03-01", None),
                             ("application_accepted", "2025-06-01", "sme")):
        r = await fin.post(f"/api/v1/listings/{u}/stages", json={"stage": stage, "on": on, "sponsor": "中信证券",
                                                                  **({"board": board} if board else {})})
        assert r.status_code == 201, r.text
    await portal.login("auditor")
    page = (await portal.http.get("/audit-log", params={"service": "finance", "object_type": "listing_pipeline",
                                                        "object_id": u})).text
    assert "<td>上市培育 阶段变更</td>" in page and f"<td>上市培育 <span class=\"code\">{u}</span></td>" in page
    for said in ("保荐机构</span>：中信证券<", "阶段</span>：申报受理<", "上市板块</span>：中小板<", "阶段日期</span>：2025-06-01<",
                 "各阶段</span>：股改（2025-01-10）；辅导备案（2025-03-01）；申报受理（2025-06-01，中小板）<"):
        assert said in page, said
    assert "其他信息" not in page and "[{" not in page and "application_accepted" not in page
    assert '<option value="listing_pipeline" selected>上市培育</option>' in page


async def test_a_park_reads_by_its_name_without_nested_brackets(portal, suite):
    """A park user's header names the park once (it read 园区运营方（房山工业园（park-846401b8））), its page
    and the parks audit log name it, the id only as a small code hint where it is asked for."""
    park = await a_park(suite)
    await portal.login("park", park["id"])
    page = (await portal.http.get(f"/parks/{park['id']}")).text
    assert f"园区运营方（{park['name']}）" in page and park["id"] + "）" not in page
    no_raw_code(page, "/parks/{id} (park)")
    await portal.login("bank", "BOB")
    assert "合作银行（北京银行）" in (await portal.http.get("/")).text
    await portal.login("econ")
    page = (await portal.http.get("/audit-log", params={"service": "parks", "object_type": "park",
                                                        "object_id": park["id"]})).text
    assert f"<td>园区 {park['name']} <span class=\"hint code\">{park['id']}</span></td>" in page
    no_raw_code(page, "/audit-log?service=parks")


def test_a_request_category_has_the_registrys_words():
    """The portal names a request's category as the registry's own sentences do (空间载体 and 用地空间
    were the same category)."""
    from services.portal.labels import REQUEST_CATEGORY_LABELS
    from services.registry.service_package.rules import CATEGORY_ZH
    assert REQUEST_CATEGORY_LABELS == CATEGORY_ZH


async def test_the_audit_logs_object_filter_lists_each_kind_once(portal):
    await portal.login("auditor")
    page = (await portal.http.get("/audit-log", params={"service": "registry"})).text
    select = page[page.index('<select id="object_type"'):]
    labels = re.findall(r'<option value="[^"]+"(?: selected)?>([^<]+)</option>', select[:select.index("</select>")])
    assert labels and len(labels) == len(set(labels)), sorted(x for x in labels if labels.count(x) > 1)


def test_every_action_the_services_record_reads_in_words():
    """The actions the services write to their audit logs (each service's audit.record calls), as the
    audit log's 动作 says them: no code left (an award's moves read 奖励 reviewed, a hotline question
    hotline 提问)."""
    from services.portal.labels import audit_action
    actions = """annual_update.import annual_update.record application.create application.update
    award.approval_refused award.carried_over award.claim_refused award.refused award.claimed award.flagged
    award.reviewed award.approved award.disbursed award.rejected award.clawed_back award.withdrawn award.withheld
    budget.set certification.add certification.expire certification.revoke certification.void change_report.record
    contract.change_ignored contract.sign enterprise.announce_records enterprise.change enterprise.depart
    enterprise.register fund.create fund.invest hotline.answer hotline.ask import.cancel import.start incubation.add
    incubation.graduate indicators.put interest.create intermediary.announce intermediary.create intermediary.update
    listing.stage loan.apply loan.approve loan.decline loan.draw loan.extension loan.renewal loan.adjusted_plan
    loan.repay loan.default loan.guarantee_approve loan.insurance_decline loan.repayment matchmaking.attendees
    matchmaking.create nomination.id_number.read nomination.submit nomination.review nomination.reject notice.create
    notice.send operating_month.put park.announce park.create park.designate park.update payable.moved
    payable.requested payable.unknown payee.set payment_batch.cancelled payment_batch.created payment_batch.exported
    payment_batch.settled payment_line.paid payment_line.returned platform.recommend platform.sync
    platform_job.failed platform_job.sync policy.version policy.withdraw policy_session.attendance
    policy_session.record product.create programme.create proposal.create quota.grant quota.cancel receivable.opened
    receivable.repaid receivable.written_off reminder.due scenario.close scenario.create scenario.recommend_city
    season.apply season.create season.decide season.pre_review season.recommendation service_list.change
    service_record.add service_request.open service_request.accepted service_request.resolved
    service_request.rejected visit.record""".split()
    raw = [(a, audit_action(a)) for a in actions if re.search(r"[A-Za-z]", audit_action(a))]
    assert not raw, raw


async def test_the_finance_audit_log_reads_a_service_list_entry(portal, suite):
    """A service-list entry's audit rows said 其他信息 for whether it is listed, since when, and the day
    and reason it left; now each by its label."""
    u = make_uscc()
    await promote(suite, u, name="北京名单审计测试有限公司")
    r = await suite.client("registry").post(f"/api/v1/enterprises/{u}/departure", json={
        "status": "moved_out", "on": today().isoformat(), "reason": "迁往外省"})
    assert r.status_code == 200, r.text

    async def left():
        rows = (await suite.client("finance", role="auditor").get("/api/v1/audit-log", params={
            "object_type": "service_list_entry", "object_id": u})).json()["items"]
        return any((row.get("after") or {}).get("removed_on") for row in rows)
    await suite.wait_for(left, "the entry to leave the list")
    await portal.login("auditor")
    page = (await portal.http.get("/audit-log", params={"service": "finance", "object_type": "service_list_entry",
                                                        "object_id": u})).text
    for said in ("在名单上</span>：", "列入日期</span>：", "退出日期</span>：", "退出原因</span>："):
        assert said in page, said
    assert "其他信息" not in page


async def test_the_registry_audit_log_reads_a_hotline_question(portal, suite):
    """A hotline question's audit row was eight lines of 其他信息 (what was asked, the day, the caller's
    masked name and phone, whether and how it was answered); now each by its label."""
    r = await suite.client("registry").post("/api/v1/hotline-questions", json={
        "category": "subsidy", "question": "补贴咨询", "caller_name": "李四", "caller_phone": "13800138001"})
    assert r.status_code == 201, r.text
    await portal.login("auditor")
    page = (await portal.http.get("/audit-log", params={"service": "registry", "object_type": "hotline_question",
                                                        "object_id": str(r.json()["id"])})).text
    for said in ("咨询内容</span>：补贴咨询<", "来电人</span>：", "来电号码</span>：", "是否已答复</span>："):
        assert said in page, said
    assert "其他信息" not in page
