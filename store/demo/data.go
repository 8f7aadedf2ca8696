package demo

import "github.com/dealcoach/dealcoach/coach"

// The demo's cast and words. Every company and person is fictional.

const (
	zh = iota // index of Chinese data
	en        // index of English data
)

// langCode is the Person.Lang of a language index.
func langCode(lang int) string { return [2]string{"zh", "en"}[lang] }

// teamSpec is a team to create, with its target for the current quarter
// in major units.
type teamSpec struct {
	name, tz string
	target   int64
}

func teamSpecs() [2]teamSpec {
	return [2]teamSpec{{"华东大客户部", "Asia/Shanghai", 30_000_000}, {"Global Accounts", "Asia/Singapore", 3_000_000}}
}

// memberSpec is a person to create: their language is their team's.
type memberSpec struct {
	name string
	team int // zh or en
	role coach.Role
}

func memberSpecs() []memberSpec {
	return []memberSpec{
		{"陈经理", zh, coach.Manager}, {"张伟", zh, coach.Rep}, {"李娜", zh, coach.Rep}, {"王芳", zh, coach.Rep},
		{"Maria Garcia", en, coach.Manager}, {"Alice Chen", en, coach.Rep}, {"Bob Smith", en, coach.Rep},
	}
}

// dealNames are the deals' customers and titles, by language.
func dealNames() [2][][2]string {
	return [2][][2]string{
		zh: {
			{"经信银行", "核心系统升级"}, {"华东电力集团", "数据中台"}, {"东方航空物流", "智能客服"},
			{"明德教育集团", "智慧校园平台"}, {"恒信证券", "交易风控系统"}, {"宁海制药", "供应链协同"},
			{"江南水务", "管网监测平台"}, {"苏杭城投", "移动办公"}, {"长三角港务集团", "集装箱调度系统"},
			{"瑞丰保险", "理赔自动化"}, {"申城地铁", "运维大数据"}, {"海纳零售", "会员营销平台"},
			{"金陵汽车", "经销商管理系统"}, {"云锦纺织", "ERP 上云"}, {"天目山医院集团", "互联网医院"},
			{"浦江传媒", "内容管理平台"}, {"经信银行", "数据中台"}, {"华东电力集团", "安全运营中心"},
			{"钱塘新材料", "MES 系统"}, {"太湖文旅集团", "智慧景区"}, {"东方航空物流", "电子签章"},
			{"甬城农商行", "信贷审批系统"}, {"徽商物产", "财务共享中心"}, {"瓯江化工", "设备预测性维护"},
		},
		en: {
			{"Acme Corp", "CRM rollout"}, {"Globex", "Data platform"}, {"Initech", "Customer service AI"},
			{"Umbrella Health", "Patient portal"}, {"Hooli", "Security operations"}, {"Stark Logistics", "Fleet tracking"},
			{"Wayne Retail", "Loyalty platform"}, {"Soylent Foods", "Supply chain visibility"},
			{"Cyberdyne Systems", "Cloud migration"}, {"Wonka Industries", "Quality analytics"},
			{"Tyrell Corp", "HR suite"}, {"Massive Dynamic", "Research data lake"}, {"Vandelay Industries", "Import/export ERP"},
			{"Oceanic Air", "Crew scheduling"}, {"Pied Piper", "Contact center upgrade"},
			{"Dunder Mifflin Paper", "E-signature"}, {"Monarch Bank", "Core banking upgrade"},
			{"Nakatomi Trading", "Treasury system"}, {"Aperture Labs", "Lab data management"},
			{"Globex", "Security operations"}, {"Virtucon", "Field service app"},
		},
	}
}

// amountRange is the size of a deal in whole currency units, and the unit
// amounts are rounded to.
func amountRange(lang int) (lo, hi, unit int64) {
	if lang == zh {
		return 500_000, 8_000_000, 10_000 // ¥50万–¥800万
	}
	return 20_000, 900_000, 1_000
}

func nextSteps() [2][]string {
	return [2][]string{
		zh: {"安排技术交流会", "提交方案与报价", "拜访决策人", "确认预算与采购流程", "发送同行业成功案例",
			"约 CIO 做高层汇报", "确认合同条款", "组织 POC 测试", "与内线确认评标指标", "邀请客户参观标杆项目"},
		en: {"Schedule a technical deep-dive", "Send the proposal and quote", "Meet the economic buyer",
			"Confirm budget and procurement steps", "Share a reference customer case", "Executive briefing with the CIO",
			"Review contract redlines", "Run the proof of concept", "Check the evaluation criteria with our champion",
			"Arrange a reference site visit"},
	}
}

func notes() [2][]string {
	return [2][]string{
		zh: {"拜访了信息中心主任，对方关注上线周期", "客户对同行案例很感兴趣，要了详细资料", "采购负责人要求下周给出报价",
			"竞品也在接触客户，价格压力较大", "内线透露预算已上报集团", "技术交流顺利，客户认可我们的架构",
			"决策人出差，会议推迟到下周", "客户希望分两期实施"},
		en: {"Met the IT director; timeline is their main concern", "They loved the reference case and asked for details",
			"Procurement wants a quote by next week", "Competitor is in the deal too; price pressure",
			"Champion says the budget request went to the board", "Technical session went well; architecture accepted",
			"Decision maker travelling; meeting moved to next week", "Customer prefers a two-phase rollout"},
	}
}

func regressNotes() [2][]string {
	return [2][]string{
		zh: {"客户换了 CIO，需要重新确认立项", "预算被砍，客户要求重新评估方案", "关键联系人离职，退回上一阶段"},
		en: {"New CIO; we have to re-qualify the project", "Budget cut; customer is re-evaluating", "Our champion left; back one stage"},
	}
}

func lostReasons() [2][]string {
	return [2][]string{
		zh: {"价格高于竞品 30%", "客户预算冻结", "选择了现有供应商续约", "项目被集团叫停"},
		en: {"Lost to a competitor on price", "Budget frozen for the fiscal year", "Renewed with the incumbent vendor", "Project cancelled after a reorg"},
	}
}

func wonNotes() [2][]string {
	return [2][]string{
		zh: {"合同已签，安排交付启动会", "客户盖章回传，准备实施计划"},
		en: {"Contract signed; kick-off being scheduled", "Signed copy received; planning the rollout"},
	}
}
