"""新增政策版本 (issue 17): on the 政策参数 page a writer of the service's policy adds a new version
from a date — every parameter prefilled with its value in force and named in words, the yearly
targets part by part —, sent to the service together (POST /policy/versions: all recorded or
none). What the portal cannot read, and each value the service refuses, is said beside its field in
Chinese with what was typed kept (422), and nothing is changed. Readers see no form; their POST is
refused."""
from __future__ import annotations

import datetime as dt
import html as htmllib
import re

from services.portal.tests.test_words import no_raw_code
from shared.clock import today

YEAR = today().year
NEXT = dt.date(YEAR + 1, 1, 1).isoformat()
LEGAL = "《房山区促进专精特新中小企业高质量发展若干措施》（门户测试）第三条"


def form_of(page: str, service: str) -> dict[str, str]:
    """The 新增政策版本 form's fields as a browser would send them: inputs, the selected option of
    each select, textareas."""
    m = re.search(rf'<form method="post" action="/policy/{service}/versions".*?</form>', page, re.S)
    assert m, f"no 新增政策版本 form for {service}"
    body, fields = m.group(0), {}
    for tag in re.findall(r"<input[^>]*>", body):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            fields[htmllib.unescape(name.group(1))] = htmllib.unescape(value.group(1) if value else "")
    for name, inner in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', inner)
        fields[htmllib.unescape(name)] = htmllib.unescape(chosen.group(1)) if chosen else ""
    for name, inner in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', body, re.S):
        fields[htmllib.unescape(name)] = htmllib.unescape(inner)
    return fields


def said_beside(page: str, key: str) -> str:
    """What the page says beside one parameter's field (its error paragraph), or ""."""
    m = re.search(rf'<div id="param-{re.escape(key)}">(.*?)</div>', page, re.S)
    assert m, f"no field for {key}"
    err = re.search(r'<p class="flash error field-error" role="alert" id="[^"]+">(.*?)</p>', m.group(1), re.S)
    return htmllib.unescape(err.group(1)) if err else ""


def said_in(page: str, element_id: str) -> str:
    m = re.search(rf'id="{element_id}">(.*?)</p>', page, re.S)
    return htmllib.unescape(m.group(1)) if m else ""


def readable(page: str) -> str:
    """The page without what a textarea holds (a structured value as JSON, to be edited as it is)."""
    return re.sub(r"(<textarea[^>]*>).*?(</textarea>)", r"\1\2", page, flags=re.S)


async def history(suite, service: str) -> list[dict]:
    r = await suite.client(service, role="auditor").get("/api/v1/policy/history")
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def in_force(suite, service: str, on: str) -> dict:
    r = await suite.client(service, role="auditor").get("/api/v1/policy", params={"on": on})
    return {p["key"]: p["value"] for p in r.json()["parameters"]}


async def test_econ_adds_a_version_of_several_award_parameters(portal, suite):
    await portal.login("econ")
    page = (await portal.http.get("/policy", params={"service": "awards"})).text
    assert "新增政策版本" in page
    fields = form_of(page, "awards")
    # every parameter prefilled with its value in force, named in words
    assert fields["v|award.tier.municipal_srdi"] == "300000"
    assert fields["v|award.tier.pay_first_renewal"] == "false"
    assert fields["v|award.claim.min_tier"] == "municipal_srdi"  # a select of tiers, by name
    assert fields["v|award.listing.boards"] == "main, sme, chinext, star, bse, overseas"
    assert fields["effective_from"] == "" and fields["legal_ref"] == ""
    assert '奖励·层级奖励·北京市专精特新中小企业 <span class="hint code">award.tier.municipal_srdi</span>' in page
    assert '<option value="municipal_srdi" selected>北京市专精特新中小企业</option>' in page
    no_raw_code(readable(page), "/policy?service=awards")

    before = await history(suite, "awards")
    fields.update({"effective_from": NEXT, "legal_ref": LEGAL, "v|award.tier.municipal_srdi": "250,000",
                   "v|award.scenario.rate_bp": "2500", "v|award.tier.pay_first_renewal": "true"})
    r = await portal.http.post("/policy/awards/versions", data=fields)
    assert r.status_code == 303 and r.headers["location"] == "/policy?service=awards", r.text
    after = await history(suite, "awards")
    added = [v for v in after if v not in before]
    assert {v["key"]: v["value"] for v in added} == {  # only what was changed, the rest left as it was
        "award.tier.municipal_srdi": 250000, "award.scenario.rate_bp": 2500, "award.tier.pay_first_renewal": True}
    assert all(v["effective_from"] == NEXT and v["legal_ref"] == LEGAL and v["set_by"].startswith("econ:")
               for v in added)
    assert (await in_force(suite, "awards", NEXT))["award.tier.municipal_srdi"] == 250000
    assert (await in_force(suite, "awards", today().isoformat()))["award.tier.municipal_srdi"] == 300000

    page = (await portal.http.get(r.headers["location"])).text
    assert f"已新增政策版本（自 {NEXT} 起生效）" in page
    assert "奖励·层级奖励·北京市专精特新中小企业 由 300,000 改为 250,000" in page
    assert "奖励·层级奖励·首次复核是否兑付 由 否 改为 是" in page
    for v in added:  # listed with the other versions, not yet in force, and withdrawable
        row = page[page.index(f'id="version-{v["id"]}"'):]
        assert "尚未生效" in row[:row.index("</tr>")] and f"/policy/awards/{v['id']}/withdraw" in row
    no_raw_code(readable(page), "/policy?service=awards")

    # The same form sent twice (a double click): the service answers the first again, nothing doubles.
    assert (await portal.http.post("/policy/awards/versions", data=fields)).status_code == 303
    assert len(await history(suite, "awards")) == len(after)


async def test_refusals_are_said_beside_each_field_and_change_nothing(portal, suite):
    await portal.login("econ")
    page = (await portal.http.get("/policy", params={"service": "awards"})).text
    fields = form_of(page, "awards")
    day = dt.date(YEAR + 2, 3, 1).isoformat()
    before = await history(suite, "awards")

    # What the portal cannot read as a number: said beside it, what was typed kept, nothing sent.
    typed = {**fields, "effective_from": day, "legal_ref": LEGAL, "v|award.introducer.amount": "二十万",
             "v|award.tier.municipal_srdi": "260000"}
    r = await portal.http.post("/policy/awards/versions", data=typed)
    assert r.status_code == 422, r.text
    assert "应为不小于 0 的整数" in said_beside(r.text, "award.introducer.amount")
    assert said_beside(r.text, "award.tier.municipal_srdi") == ""
    kept = form_of(r.text, "awards")
    assert (kept["v|award.introducer.amount"], kept["v|award.tier.municipal_srdi"]) == ("二十万", "260000")
    assert (kept["effective_from"], kept["legal_ref"]) == (day, LEGAL)
    assert 'aria-invalid="true" aria-describedby="nv-' in r.text
    assert '<details class="card" id="new-version" open>' in r.text
    assert await history(suite, "awards") == before

    # Two values the awards service refuses (out of range): each said beside its own field in
    # Chinese, the valid change beside them not recorded either.
    typed = {**fields, "effective_from": day, "legal_ref": LEGAL, "v|award.scenario.rate_bp": "200000",
             "v|award.recovery.due_days": "0", "v|award.tier.municipal_srdi": "260000"}
    r = await portal.http.post("/policy/awards/versions", data=typed)
    assert r.status_code == 422, r.text
    assert "须为 0 至 100000 的整数基点" in said_beside(r.text, "award.scenario.rate_bp")
    assert "须为 1 至 3650 的整数天数" in said_beside(r.text, "award.recovery.due_days")
    assert said_beside(r.text, "award.tier.municipal_srdi") == ""
    assert "新版本未记录，没有参数被改变" in said_in(r.text, "nv-error")
    kept = form_of(r.text, "awards")
    assert (kept["v|award.scenario.rate_bp"], kept["v|award.recovery.due_days"],
            kept["v|award.tier.municipal_srdi"]) == ("200000", "0", "260000")
    assert await history(suite, "awards") == before
    no_raw_code(readable(r.text), "refused /policy/awards/versions")

    # A parameter that already has a version from that date (history is never edited): the
    # service's refusal (409) beside that parameter; the other change not recorded.
    existing = await suite.client("awards").put("/api/v1/policy", json={
        "key": "award.introducer.amount", "value": 250000, "effective_from": day, "legal_ref": LEGAL})
    assert existing.status_code == 201, existing.text
    before = await history(suite, "awards")
    typed = {**fields, "effective_from": day, "legal_ref": LEGAL, "v|award.introducer.amount": "210000",
             "v|award.tier.municipal_srdi": "260000"}
    r = await portal.http.post("/policy/awards/versions", data=typed)
    assert r.status_code == 422, r.text
    beside = said_beside(r.text, "award.introducer.amount")
    assert beside == f"在 {day} 已有版本；历史不可修改", beside
    assert said_in(r.text, "nv-error") == "新版本未记录，没有参数被改变，见各参数旁的说明。"
    assert form_of(r.text, "awards")["v|award.introducer.amount"] == "210000"
    assert await history(suite, "awards") == before

    # No date, no legal reference, nothing changed: each said beside its field.
    r = await portal.http.post("/policy/awards/versions", data={**fields, "effective_from": "", "legal_ref": " "})
    assert r.status_code == 422
    assert "请填写生效日期" in said_in(r.text, "nv-date-error")
    assert "请填写政策依据" in said_in(r.text, "nv-ref-error")
    assert "没有修改任何参数" in said_in(r.text, "nv-error")
    r = await portal.http.post("/policy/awards/versions", data={**fields, "effective_from": "2027/01/01",
                                                                 "legal_ref": LEGAL})
    assert "日期格式不正确：2027/01/01" in said_in(r.text, "nv-date-error")
    assert form_of(r.text, "awards")["effective_from"] == "2027/01/01"
    assert await history(suite, "awards") == before


async def test_yearly_targets_part_by_part_and_outreach_parameters(portal, suite):
    await portal.login("econ")
    page = (await portal.http.get("/policy", params={"service": "registry"})).text
    fields = form_of(page, "registry")
    assert (fields["v|targets.yearly|municipal_srdi"], fields["v|targets.yearly|listing"]) == ("30", "2")
    for words in ("培育目标·年度", "新增北京市专精特新中小企业（家）", "新增国家级专精特新“小巨人”企业（家）",
                  "辅导上市企业（家）", "专精特新潜在企业（培育库，家）"):
        assert words in page, words
    assert fields["v|service_package.routing|talent"] == "talent"  # a department, chosen by name
    assert '<option value="talent" selected>区人社局 / 区委人才办</option>' in page
    no_raw_code(readable(page), "/policy?service=registry")

    before = await history(suite, "registry")
    r = await portal.http.post("/policy/registry/versions", data={
        **fields, "effective_from": NEXT, "legal_ref": LEGAL, "v|targets.yearly|municipal_srdi": "-3"})
    assert r.status_code == 422
    assert "新增北京市专精特新中小企业（家）：应为不小于 0 的整数" in said_beside(r.text, "targets.yearly")
    assert form_of(r.text, "registry")["v|targets.yearly|municipal_srdi"] == "-3"
    assert await history(suite, "registry") == before

    # Next year's targets raised from 1 January; every other field sent back as it was prefilled
    # (the screening criteria as JSON, the routing, a date, a ratio) changes nothing.
    r = await portal.http.post("/policy/registry/versions", data={
        **fields, "effective_from": NEXT, "legal_ref": LEGAL, "v|targets.yearly|municipal_srdi": "45",
        "v|targets.yearly|listing": "3"})
    assert r.status_code == 303, r.text
    added = [v for v in await history(suite, "registry") if v not in before]
    assert [(v["key"], v["effective_from"]) for v in added] == [("targets.yearly", NEXT)]
    assert added[0]["value"] == {"listing": 3, "national_little_giant": 10, "municipal_srdi": 45, "potential": 100}
    econ = suite.client("registry")
    targets = {t["key"]: t["target"] for t in (await econ.get(f"/api/v1/targets/{YEAR + 1}")).json()["targets"]}
    assert (targets["municipal_srdi"], targets["listing"]) == (45, 3)
    this_year = {t["key"]: t["target"] for t in (await econ.get(f"/api/v1/targets/{YEAR}")).json()["targets"]}
    assert this_year["municipal_srdi"] == 30  # this year's targets as they were
    page = (await portal.http.get(r.headers["location"])).text
    assert "培育目标·年度 由 （辅导上市企业（家） 2" in page and "新增北京市专精特新中小企业（家） 45" in page

    # Outreach's parameters are the lead bureau's too (its default policy writers).
    page = (await portal.http.get("/policy", params={"service": "outreach"})).text
    fields = form_of(page, "outreach")
    assert fields["v|outreach.programme.reminder_channels"] == "inbox, email"
    assert "服务触达·项目·提前提醒天数" in page
    before = await history(suite, "outreach")
    r = await portal.http.post("/policy/outreach/versions", data={
        **fields, "effective_from": NEXT, "legal_ref": LEGAL, "v|outreach.programme.reminder_days": "10"})
    assert r.status_code == 303, r.text
    added = [v for v in await history(suite, "outreach") if v not in before]
    assert [(v["key"], v["value"]) for v in added] == [("outreach.programme.reminder_days", 10)]


async def test_readers_see_no_form_and_their_post_is_refused(portal, suite):
    before = {s: await history(suite, s) for s in ("awards", "talent")}
    change = {"effective_from": NEXT, "legal_ref": LEGAL, "v|award.tier.municipal_srdi": "1"}
    for role in ("auditor", "treasury"):
        await portal.login(role)
        page = (await portal.http.get("/policy", params={"service": "awards"})).text
        assert "政策参数" in page and "奖励·层级奖励·北京市专精特新中小企业" in page
        assert "新增政策版本" not in page and "/versions" not in page, role
        r = await portal.post("/policy/awards/versions", change, page="/policy?service=awards")
        assert r.status_code == 403 and "不能新增奖励服务的政策版本" in r.text, role

    # The talent office writes talent's policy (not awards'); the lead bureau reads talent's.
    await portal.login("talent")
    page = (await portal.http.get("/policy")).text
    assert 'action="/policy/talent/versions"' in page
    assert form_of(page, "talent")["v|talent.quota.years.national_little_giant"] == "3"
    assert (await portal.post("/policy/awards/versions", change, page="/policy")).status_code == 403
    await portal.login("econ")
    page = (await portal.http.get("/policy", params={"service": "talent"})).text
    assert "新增政策版本" not in page
    r = await portal.post("/policy/talent/versions", {"effective_from": NEXT, "legal_ref": LEGAL,
                                                      "v|talent.quota.years.national_little_giant": "4"},
                          page="/policy?service=talent")
    assert r.status_code == 403
    await portal.login("bank", "BOB")
    assert (await portal.post("/policy/awards/versions", change, page="/")).status_code == 403
    assert {s: await history(suite, s) for s in ("awards", "talent")} == before


async def test_a_version_added_meanwhile_is_never_undone(portal, suite):
    """A form opened before someone else's new version came into force: the fields left as shown
    are not sent (the newer value stays); one changed is said beside its field, with the value now
    in force, and goes through when sent again."""
    await portal.login("econ")
    page = (await portal.http.get("/policy", params={"service": "awards"})).text
    fields = form_of(page, "awards")
    was = int(fields["v|award.relocation.amount"])
    meanwhile = await suite.client("awards").put("/api/v1/policy", json={
        "key": "award.relocation.amount", "value": was + 50000, "effective_from": today().isoformat(),
        "legal_ref": LEGAL})
    assert meanwhile.status_code == 201, meanwhile.text
    day = dt.date(YEAR + 3, 1, 1).isoformat()

    before = await history(suite, "awards")
    r = await portal.http.post("/policy/awards/versions", data={
        **fields, "effective_from": day, "legal_ref": LEGAL, "v|award.relocation.amount": str(was - 10000)})
    assert r.status_code == 422, r.text
    beside = said_beside(r.text, "award.relocation.amount")
    assert f"打开本页后，该参数已有新的现行取值（{was + 50000:,}）" in beside, beside
    assert await history(suite, "awards") == before
    again = form_of(r.text, "awards")
    assert again["v|award.relocation.amount"] == str(was - 10000)  # what was typed, kept

    r = await portal.http.post("/policy/awards/versions", data={**again, "effective_from": day})
    assert r.status_code == 303, r.text
    added = [v for v in await history(suite, "awards") if v not in before]
    assert [(v["key"], v["value"]) for v in added] == [("award.relocation.amount", was - 10000)]

    # The old form again, another parameter changed: the newer relocation amount is not undone.
    before = await history(suite, "awards")
    r = await portal.http.post("/policy/awards/versions", data={
        **fields, "effective_from": dt.date(YEAR + 4, 1, 1).isoformat(), "legal_ref": LEGAL,
        "v|award.featured_park.amount": "3500000"})
    assert r.status_code == 303, r.text
    added = [v for v in await history(suite, "awards") if v not in before]
    assert [(v["key"], v["value"]) for v in added] == [("award.featured_park.amount", 3500000)]


async def test_a_back_dated_version_says_what_it_changes(portal, suite):
    """A version from a date before today is a retroactive adjustment: the page says so and names
    the value from that date, not "from today's value to the new one" (a later version still applies
    from its own date)."""
    await portal.login("econ")
    fields = form_of((await portal.http.get("/policy", params={"service": "awards"})).text, "awards")
    past = "2020-01-01"
    fields.update({"effective_from": past, "legal_ref": LEGAL, "v|award.tier.municipal_srdi": "250,000"})
    r = await portal.http.post("/policy/awards/versions", data=fields)
    assert r.status_code == 303, r.text
    page = (await portal.http.get(r.headers["location"])).text
    assert f"已新增追溯版本（自 {past} 起生效，早于今天）" in page
    assert f"奖励·层级奖励·北京市专精特新中小企业 自 {past} 起为 250,000" in page
    assert "由 300,000 改为" not in page
    assert (await in_force(suite, "awards", past))["award.tier.municipal_srdi"] == 250000
    assert (await in_force(suite, "awards", today().isoformat()))["award.tier.municipal_srdi"] == 300000


async def test_a_list_of_codes_reads_as_their_labels(portal, suite):
    """A list-valued parameter names its codes by the key that holds them: the listing boards' "sme"
    is 中小板 (the board), not the tier 中小企业; outreach's channels by name."""
    await portal.login("econ")
    page = (await portal.http.get("/policy", params={"service": "awards"})).text
    [boards] = [v for v in await history(suite, "awards") if v["key"] == "award.listing.boards"]
    row = page[page.index(f'id="version-{boards["id"]}"'):]
    value = re.findall(r"<td>(.*?)</td>", row[:row.index("</tr>")])[1]  # after the date
    assert value == "主板、中小板、创业板、科创板、北交所、境外", value
    assert "多个取值以逗号分隔：main 主板、sme 中小板、chinext 创业板" in page  # the field's codes, named

    page = (await portal.http.get("/policy", params={"service": "outreach"})).text
    assert "<td>企业门户收件箱、电子邮件</td>" in page


def version_value(page: str, version_id: int) -> str:
    """The 取值 cell of a version's row in the version list."""
    row = page[page.index(f'id="version-{version_id}"'):]
    return htmllib.unescape(re.findall(r"<td>(.*?)</td>", row[:row.index("</tr>")])[1])


async def test_table_values_read_part_by_part_in_words(portal, suite):
    """A table-valued parameter in the version list reads part by part in words, as the form names
    its parts (it showed JSON with codes): a routing's categories and departments, a year's targets,
    a park dimension's measure and floor; the form says which measure codes a dimension takes."""
    await portal.login("econ")
    seeded = {v["key"]: v["id"] for v in await history(suite, "registry") if v["set_by"] == "migration"}
    page = (await portal.http.get("/policy", params={"service": "registry"})).text
    routing = version_value(page, seeded["service_package.routing"])
    for part in ("资质认定：区经信局（牵头）", "资金补贴：区财政局", "人才：区人社局 / 区委人才办", "用地空间：园区运营方"):
        assert part in routing.split("；"), routing
    targets = version_value(page, seeded["targets.yearly"])
    assert "辅导上市企业（家）：2；" in targets and "新增北京市专精特新中小企业（家）：30" in targets, targets
    for value in (routing, targets):
        assert "{" not in value and not re.search(r"[a-z]{3,}", value), value

    seeded = {v["key"]: v["id"] for v in await history(suite, "parks") if v["set_by"] == "migration"}
    page = (await portal.http.get("/policy", params={"service": "parks"})).text
    dimension = version_value(page, seeded["parks.assessment.dimension.srdi_share"])
    assert dimension == ("计量方式：园区内达到起算层级的企业占比（%）；起算层级：北京市专精特新中小企业；权重：20；达标值：30；"
                         "名称：专精特新企业占比（%）"), dimension
    field = page[page.index('<div id="param-parks.assessment.dimension.srdi_share">'):]
    field = field[:field.index("</fieldset>")]
    assert "可填：count 园区内达到起算层级的企业数、share_pct 园区内达到起算层级的企业占比（%）" in field
    assert "services 年内中介机构、商协会服务园区企业的次数" in field
    no_raw_code(readable(page), "/policy?service=parks")


async def test_the_audit_log_reads_a_parameters_values_by_its_key(portal, suite):
    """A policy version's audit row names a list's codes by the parameter's key: the listing boards'
    "sme" is 中小板, not the tier 中小企业 (as the version list says it); a table part by part."""
    day = dt.date(YEAR + 5, 1, 1).isoformat()
    r = await suite.client("awards").put("/api/v1/policy", json={
        "key": "award.listing.boards", "value": ["main", "sme"], "effective_from": day, "legal_ref": LEGAL})
    assert r.status_code == 201, r.text
    boards = r.json()["id"]
    dimension = {"measure": "new", "floor": "municipal_srdi", "weight": 20, "threshold": 4, "label": "年度新增专精特新企业"}
    r = await suite.client("parks").put("/api/v1/policy", json={
        "key": "parks.assessment.dimension.new_srdi", "value": dimension, "effective_from": day, "legal_ref": LEGAL})
    assert r.status_code == 201, r.text
    new_srdi = r.json()["id"]

    await portal.login("auditor")
    page = (await portal.http.get("/audit-log", params={"service": "awards", "object_type": "policy_parameter",
                                                        "object_id": str(boards)})).text
    assert "政策参数 新增版本" in page and "取值</span>：主板、中小板<" in page and "主板、中小企业" not in page
    page = (await portal.http.get("/audit-log", params={"service": "parks", "object_type": "policy_parameter",
                                                        "object_id": str(new_srdi)})).text
    assert "取值</span>：计量方式：年内新增达到起算层级的企业数；起算层级：北京市专精特新中小企业；权重：20；达标值：4" in page
    no_raw_code(page, "/audit-log policy_parameter")


async def test_board_labels_typed_are_taken_as_codes_and_an_unknown_code_is_refused_beside_the_field(portal, suite):
    """The Chromium walk typed 主板、中小板 for the boards: the portal now sends their codes; a board no
    one knows (纳斯达克) comes back from awards as a 422 beside the field, naming the codes, and
    nothing is recorded."""
    await portal.login("econ")
    day = dt.date(YEAR + 3, 3, 1).isoformat()
    fields = form_of((await portal.http.get("/policy", params={"service": "awards"})).text, "awards")
    fields.update({"effective_from": day, "legal_ref": LEGAL, "v|award.listing.boards": "主板、中小板，star"})
    before = await history(suite, "awards")
    r = await portal.http.post("/policy/awards/versions", data=fields)
    assert r.status_code == 303, r.text
    added = [v for v in await history(suite, "awards") if v not in before]
    assert [(v["key"], v["value"]) for v in added] == [("award.listing.boards", ["main", "sme", "star"])]

    fields = form_of((await portal.http.get("/policy", params={"service": "awards"})).text, "awards")
    fields.update({"effective_from": dt.date(YEAR + 3, 4, 1).isoformat(), "legal_ref": LEGAL,
                   "v|award.listing.boards": "main, 纳斯达克"})
    before = await history(suite, "awards")
    r = await portal.http.post("/policy/awards/versions", data=fields)
    assert r.status_code == 422, r.text
    field = r.text[r.text.index('id="param-award.listing.boards"'):]
    field = field[:field.index("</div>")]
    assert "含有未知代码 纳斯达克" in field and 'aria-invalid="true"' in field
    # The codes it names are the service's, each with its name: the board "sme" is left as it is (it
    # read 中小企业（中小板）, the tier's name swapped in).
    assert "main（主板）、sme（中小板）" in field and "中小企业（中小板）" not in field
    assert await history(suite, "awards") == before


async def test_screening_criteria_read_as_their_words(portal, suite):
    """A screening rule set (screening.criteria.<tier>) in the version list is its name and its
    criteria's own words, a group's criteria under it joined by 或 / 且 (it was raw JSON); the form
    keeps it as JSON, and says so."""
    await portal.login("econ")
    [rule_set] = [v for v in await history(suite, "registry") if v["set_by"] == "migration"
                  and v["key"] == "screening.criteria.municipal_srdi" and v["effective_from"] == "2022-08-01"]
    page = (await portal.http.get("/policy", params={"service": "registry"})).text
    cell = version_value(page, rule_set["id"])
    assert cell.startswith(rule_set["value"]["rule_set"]), cell
    assert "<li>从事特定细分市场≥2年</li>" in cell and "<li>研发费用占营业收入≥3%</li>" in cell, cell
    assert ("<li>营业收入≥1000万元或近2年股权融资≥2000万元（满足其一）<ul class=\"criteria\"><li>营业收入≥1000万元</li>"
            "<li><span class=\"join\">或</span> 近2年股权融资≥2000万元</li></ul></li>") in cell, cell
    assert "{" not in cell and "indicator" not in cell and "gte" not in cell
    field = page[page.index('<div id="param-screening.criteria.municipal_srdi">'):]
    field = field[:field.index("</div>")]
    assert "<textarea" in field and "以 JSON 格式编辑" in field
    no_raw_code(readable(page), "/policy?service=registry")
