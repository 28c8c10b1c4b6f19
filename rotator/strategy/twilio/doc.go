// Package twilio rotates Twilio API keys (Standard keys) through Twilio's REST
// API.
//
// It uses the Key resource, v2010:
//
//	create  POST   /2010-04-01/Accounts/{AccountSid}/Keys.json   FriendlyName=...
//	list    GET    /2010-04-01/Accounts/{AccountSid}/Keys.json   (paged by next_page_uri)
//	fetch   GET    /2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json
//	delete  DELETE /2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json
//	test    GET    /2010-04-01/Accounts/{AccountSid}/Balance.json  as the new key
//
// The rotated secret's value is {"accountSid","apiKeySid","apiKeySecret"}; other
// fields are carried over. Before the first rotation it may hold only
// {"accountSid": "AC..."} (or be {} when the admin secret names the account):
// the rotator mints the first key.
//
// Managing keys needs an account credential or a Main key (Standard keys cannot
// reach /Keys). It lives in its own secret, readable only by the rotator, as
// {"accountSid": "AC...", "authToken": "..."} or {"accountSid": "AC...",
// "apiKeySid": "SK...", "apiKeySecret": "..."} (a Main key), and is read with
// GetSecretValue at each step so that rotating it needs no redeploy. Twilio lets
// a Main key reach its own account only: for a subaccount's keys, store the
// subaccount's (or the parent's) account SID and auth token, or a Main key made
// in the subaccount.
//
// Create mints a key whose FriendlyName derives from the rotation token; Set
// checks that the key exists (Twilio keys work from creation); Test calls the
// Balance resource with the new key as basic auth; the old key is deleted only
// after the grace period, by the grace package's Sweeper or the next Create.
//
// New takes the function's contract.KeyAPI (the admin secret's ARN and the
// grace period). The API is https://api.twilio.com; only a rotator built for
// tests reaches another (contract.TestSettings).
package twilio
