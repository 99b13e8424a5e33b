output "bucket" {
  description = "Name of the lakehouse bucket."
  value       = aws_s3_bucket.lakehouse.bucket
}

output "bucket_arn" {
  description = "ARN of the lakehouse bucket."
  value       = aws_s3_bucket.lakehouse.arn
}

output "kms_key_arn" {
  description = "KMS key encrypting the bucket."
  value       = aws_kms_key.lakehouse.arn
}

output "jobs_role_arn" {
  description = "Role the jobs assume (annotate the Kubernetes service account with it for IRSA)."
  value       = aws_iam_role.jobs.arn
}

output "databricks_job_id" {
  description = "ID of the Databricks pipeline job (databricks jobs run-now --job-id)."
  value       = databricks_job.pipeline.id
}

output "lakehouse_volume" {
  description = "Unity Catalog volume path of the lakehouse (--lakehouse for fitlake ingest on Databricks)."
  value       = local.volume_path
}
