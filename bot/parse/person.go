package parse

import (
	"strings"
	"unicode/utf8"
)

// A person's name in a contact sentence: "Jane Doe", "涂主任", "老王".
var (
	// zhTitles end a Chinese person's name: "涂主任", "刘行长", "张总".
	zhTitles = byLen("董事长", "总经理", "副总裁", "总裁", "总监", "副总", "经理", "主任", "行长", "处长", "局长",
		"部长", "科长", "院长", "校长", "书记", "主管", "组长", "老师", "博士", "教授", "工程师", "总工", "老总", "总",
		"工", "秘书", "助理", "先生", "女士", "小姐", "厂长", "所长", "司长", "董事", "主席", "会长", "站长", "委员")
	zhCompound = []string{"欧阳", "司马", "诸葛", "上官", "东方", "慕容", "司徒", "皇甫", "夏侯", "尉迟", "令狐",
		"长孙", "宇文", "公孙"}
	// personStop are words a person's name does not hold ("I think Jane").
	personStop = setOf("i", "me", "my", "you", "your", "we", "our", "us", "he", "she", "it", "they", "them", "this",
		"that", "is", "are", "was", "were", "be", "been", "do", "does", "did", "can", "could", "would", "should",
		"think", "thinks", "said", "says", "not", "no", "and", "or", "but", "if", "so", "just", "there", "here",
		"what", "who", "why", "how", "when", "where", "which", "to", "of", "for", "with")
)

// zhPersonStart finds a person with a title at the end of a Chinese name
// ("经信银行涂主任" → 涂主任; "经信银行王副行长"; "华东电力老王").
func zhPersonStart(low string) (int, bool) {
	for _, t := range zhTitles {
		if !strings.HasSuffix(low, t) || len(low) == len(t) {
			continue
		}
		s := len(strings.TrimSuffix(low[:len(low)-len(t)], "副")) // "王副行长" keeps its 副
		for _, c := range zhCompound {
			if strings.HasSuffix(low[:s], c) {
				return s - len(c), true
			}
		}
		return lastHan(low, s)
	}
	if i, ok := lastHan(low, len(low)); ok { // 老王, 小李
		if j, ok := lastHan(low, i); ok && (low[j:i] == "老" || low[j:i] == "小") {
			return j, true
		}
	}
	return 0, false
}

// lastHan is where the Han character that ends low[:end] starts.
func lastHan(low string, end int) (int, bool) {
	r, n := utf8.DecodeLastRuneInString(low[:end])
	return end - n, n > 0 && isHan(r)
}

// personName reads a person's name: a few words that are not a sentence.
func personName(t text) (string, bool) {
	t = t.trim()
	low := t.low
	if low == "" || len(low) > 60 || strings.ContainsAny(low, ",;!?\n#:") {
		return "", false
	}
	if hasHan(low) {
		if countHan(low) > 8 || containsAny(low, zhStop) {
			return "", false
		}
	} else {
		words := strings.Fields(low)
		if len(words) > 4 {
			return "", false
		}
		for _, w := range words {
			if personStop[w] {
				return "", false
			}
		}
	}
	if len(findHits(low)) > 0 {
		return "", false
	}
	return clean(t.raw()), true
}
