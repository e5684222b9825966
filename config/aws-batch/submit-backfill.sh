#!/bin/sh
# Registers the job definition, submits the shards as an array job and the merge as a job that depends on it
# (AWS Batch starts the merge once every child of the array job has succeeded). Run from this folder with the
# AWS CLI v2 and credentials allowed to use AWS Batch. Each child reads AWS_BATCH_JOB_ARRAY_INDEX as its shard.
# Pause whatever runs the nightly job on the same state until the merge has finished: shards take no lock, so a
# nightly run in between commits objects they read, and the merge refuses them (ERR_SHARDS_STALE, exit 1).
# A stopped job (its attempt timeout, TerminateJob, a Fargate Spot interruption) gets SIGTERM and, 30 s later,
# SIGKILL: the stop timeout of Fargate, which a job definition's containerProperties cannot raise. The merge's
# --hec-timeout (10) leaves the rest of those 30 s to spool what is undelivered and commit the state
# (README "Stopping a run"); at the CLI's default (30) SIGKILL could come before the commit.
# The spool's EFS volume is mounted through an access point that makes the job's user (uid 1000, the image's)
# the owner of its folder: a plain rootDirectory must exist beforehand (else no job starts) and is root's, which
# uid 1000 cannot write (Fargate cannot chown it either). Create it once, and put its id in job-definition.json:
#   aws efs create-access-point --file-system-id fs-0123456789abcdef0 --posix-user Uid=1000,Gid=1000 \
#     --root-directory 'Path=/auth0-usage-spool,CreationInfo={OwnerUid=1000,OwnerGid=1000,Permissions=0750}'
set -eu
aws batch register-job-definition --cli-input-json file://job-definition.json > /dev/null
shards_job_id=$(aws batch submit-job --cli-input-json file://submit-shards.json --query jobId --output text)
sed "s/SHARDS_JOB_ID/${shards_job_id}/" submit-merge.json > "${TMPDIR:-/tmp}/auth0-usage-submit-merge.json"
aws batch submit-job --cli-input-json "file://${TMPDIR:-/tmp}/auth0-usage-submit-merge.json" --query jobId --output text
