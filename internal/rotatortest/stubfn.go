package rotatortest

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// trustPolicy lets Lambda assume the stub function's role.
const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// stubFunction registers, once per Env, a Lambda function in moto for
// RotateSecret to point at. moto cannot run it here (it would need Docker), so
// it only logs a failed invocation and leaves the steps to the test: which is
// what lets the test play Secrets Manager and drive the rotator under test.
//
// The module requires no IAM or Lambda SDK client, so the two calls are made
// as plain SigV4-signed HTTP requests.
func (e *Env) stubFunction(ctx context.Context) (string, error) {
	if e.function != "" {
		return e.function, nil
	}
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		return "", fmt.Errorf("name stub function: %w", err)
	}
	name := "rotatortest-" + hex.EncodeToString(suffix)

	form := url.Values{
		"Action":                   {"CreateRole"},
		"Version":                  {"2010-05-08"},
		"RoleName":                 {name},
		"AssumeRolePolicyDocument": {trustPolicy},
	}
	body, err := e.signedCall(ctx, "iam", http.MethodPost, "/", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("create stub role: %w", err)
	}
	var role struct {
		Arn string `xml:"CreateRoleResult>Role>Arn"`
	}
	if err := xml.Unmarshal(body, &role); err != nil || role.Arn == "" {
		return "", fmt.Errorf("read stub role arn: %v: %s", err, body)
	}

	code, err := stubZip()
	if err != nil {
		return "", err
	}
	fn, err := json.Marshal(map[string]any{
		"FunctionName": name,
		"Runtime":      "provided.al2023",
		"Role":         role.Arn,
		"Handler":      "bootstrap",
		"Code":         map[string]string{"ZipFile": base64.StdEncoding.EncodeToString(code)},
	})
	if err != nil {
		return "", fmt.Errorf("encode stub function: %w", err)
	}
	body, err = e.signedCall(ctx, "lambda", http.MethodPost, "/2015-03-31/functions", "application/json", fn)
	if err != nil {
		return "", fmt.Errorf("create stub function: %w", err)
	}
	var out struct{ FunctionArn string }
	if err := json.Unmarshal(body, &out); err != nil || out.FunctionArn == "" {
		return "", fmt.Errorf("read stub function arn: %v: %s", err, body)
	}
	e.function = out.FunctionArn
	return e.function, nil
}

// stubZip is a deployment package with a bootstrap that only fails: it is never
// run, but Lambda wants a zip.
func stubZip() ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("bootstrap")
	if err != nil {
		return nil, fmt.Errorf("zip stub: %w", err)
	}
	if _, err := io.WriteString(w, "#!/bin/sh\nexit 1\n"); err != nil {
		return nil, fmt.Errorf("zip stub: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("zip stub: %w", err)
	}
	return buf.Bytes(), nil
}

// signedCall sends one SigV4-signed request to moto for service and returns the
// body of a 2xx answer. moto routes by the signature's service name.
func (e *Env) signedCall(ctx context.Context, service, method, path, contentType string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(e.Moto.Endpoint, "/")+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	cfg := e.Config()
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, cfg.Region, time.Now()); err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: status %s: %s", service, path, resp.Status, out)
	}
	return out, nil
}
