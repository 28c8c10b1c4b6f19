// Package redeploy is the component that starts new ECS tasks after a
// rotation.
//
// An ECS task keeps the secret values it injected at start, so after each
// successful rotation of such a secret the service must get a new
// deployment, or its tasks run on a value the rotation has replaced.
//
// EventBridge cannot call ecs:UpdateService itself; a rule on Secrets
// Manager's RotationSucceeded event starts a Step Functions state machine
// whose one task is the SDK integration aws-sdk:ecs:updateService with
// forceNewDeployment. No code of ours runs, so there is no function to
// build, patch or grant; the state machine's role may update that one
// service, and the rule's role may start that one state machine. Both are
// bounded like every role the program makes.
package redeploy
