package main

import "strings"

// iso4217 holds the active ISO 4217 currency codes (list one of the
// standard, as amended up to 2025: XCG for the Caribbean guilder, ZWG for
// the Zimbabwe gold; HRK, SLL and others withdrawn are left out). The codes
// of precious metals, bond units, SDRs and testing (XAU, XBA…, XDR, XTS,
// XXX…) are left out too: deals are not priced in them. A table in the code
// rather than the system's: the static binary runs where there is none.
var iso4217 = setOfCodes(`
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV
BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK
DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL
HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR
MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP
TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG
XOF XPF YER ZAR ZMW ZWG`)

func setOfCodes(s string) map[string]bool {
	m := make(map[string]bool)
	for _, c := range strings.Fields(s) {
		m[c] = true
	}
	return m
}
