/**
 * Prefixed credentials of messaging, e-mail, payment, commerce and social platforms, and their webhook URLs (a
 * webhook URL is itself the credential). Ids and formats follow gitleaks' default rules and the providers' docs.
 */
import { ALNUM, ALNUM_UNDERSCORE, lettersAndDigits, token, twoClasses, type TokenRule } from "./rule.ts";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

export const COMMERCE_TOKEN_RULES: readonly TokenRule[] = [
  token("sendgrid-api-token", ["sg."], /SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/y, { wordChar: ALNUM }),
  token("sendinblue-api-token", ["xkeysib-", "xsmtpsib-"], /x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}(?![A-Za-z0-9])/y),
  // 32 hex digits, then the data centre: `…-us21`.
  token("mailchimp-api-key", ["-us"], /[a-f0-9]{32}-us\d{1,2}(?![A-Za-z0-9])/y, { back: 32, wordChar: ALNUM, validate: lettersAndDigits }),
  token("twilio-api-key", ["sk"], /SK[0-9a-fA-F]{32}(?![A-Za-z0-9])/y, { wordChar: ALNUM, validate: (v) => lettersAndDigits(v.slice(2)) }),
  token("discord-webhook", ["discord.com/api/webhooks/", "discordapp.com/api/webhooks/"], /discord(?:app)?\.com\/api\/webhooks\/\d{17,20}\/[A-Za-z0-9_-]{60,80}(?![A-Za-z0-9_-])/y, { wordChar: ALNUM }),
  token("microsoft-teams-webhook", ["webhook.office.com/webhookb2/"], new RegExp(`webhook\\.office\\.com\\/webhookb2\\/${UUID}@${UUID}\\/IncomingWebhook\\/[0-9a-f]{32}\\/${UUID}(?:\\/[A-Za-z0-9_-]{20,80})?`, "y"), { wordChar: ALNUM }),
  token("telegram-bot-token", ["api.telegram.org/bot"], /api\.telegram\.org\/bot\d{5,16}:A[A-Za-z0-9_-]{34}(?![A-Za-z0-9_-])/y, { wordChar: ALNUM }),
  // Firebase Cloud Messaging server key: `AAAA` and seven characters before `:APA91b`.
  token("firebase-cloud-messaging-key", [":apa91b"], /AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{134}(?![A-Za-z0-9_-])/y, { back: 11 }),
  token("square-access-token", ["eaaa", "sq0atp-", "sq0csp-"], /(?:EAAA[A-Za-z0-9_-]{22,60}|sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/y, { validate: twoClasses }),
  token("facebook-access-token", ["eaa"], /EAA[B-Z][A-Za-z0-9]{90,400}(?![A-Za-z0-9])/y, { wordChar: ALNUM, minEntropy: 4, validate: twoClasses }),
  token("twitter-bearer-token", ["aaaaaaaaaaaaaaaaaaaaaa"], /A{22}[A-Za-z0-9%]{80,100}(?![A-Za-z0-9%])/y, { wordChar: ALNUM, validate: (v) => twoClasses(v.slice(22)) }),
  token("paypal-braintree-access-token", ["access_token$"], /access_token\$(?:production|sandbox)\$[a-z0-9]{16}\$[a-f0-9]{32}(?![A-Za-z0-9])/y, { wordChar: ALNUM_UNDERSCORE }),
  token("shopify-token", ["shpat_", "shpca_", "shppa_", "shpss_"], /shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![A-Za-z0-9])/y),
  token("flutterwave-secret-key", ["flwseck-", "flwseck_test-"], /FLWSECK(?:_TEST)?-[a-fA-F0-9]{12,32}(?:-X)?(?![A-Za-z0-9])/y),
  token("duffel-api-token", ["duffel_test_", "duffel_live_"], /duffel_(?:test|live)_[A-Za-z0-9_=-]{43}(?![A-Za-z0-9_=-])/y),
  token("easypost-api-token", ["ezak", "eztk"], /EZ[AT]K[A-Za-z0-9]{54}(?![A-Za-z0-9])/y, { wordChar: ALNUM, validate: twoClasses }),
  token("shippo-api-token", ["shippo_live_", "shippo_test_"], /shippo_(?:live|test)_[a-fA-F0-9]{40}(?![A-Za-z0-9])/y),
  token("adobe-client-secret", ["p8e-"], /p8e-[A-Za-z0-9]{32}(?![A-Za-z0-9])/y, { validate: twoClasses }),
  // MaxMind license key: the `_mmk` suffix comes 36 characters in.
  token("maxmind-license-key", ["_mmk"], /[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk(?![A-Za-z0-9_])/y, { back: 36, wordChar: ALNUM_UNDERSCORE, minEntropy: 4 }),
];
