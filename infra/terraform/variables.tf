variable "environment" {
  type        = string
  description = "Deployment name (dev, prod): part of every resource name."
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "environment must be 2-16 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "aws_region" {
  type        = string
  description = "AWS region of the bucket and the IAM role."
  default     = "us-east-1"
}

variable "bucket_name" {
  type        = string
  description = "Globally unique name of the lakehouse bucket."
}

variable "noncurrent_version_days" {
  type        = number
  description = "Days a replaced object version is kept before it expires (time travel beyond Delta's own)."
  default     = 30
}

variable "archive_after_days" {
  type        = number
  description = "Days after which bronze and backups move to Glacier Instant Retrieval."
  default     = 90
}

variable "job_principal_arns" {
  type        = list(string)
  description = "IAM principals allowed to assume the jobs' role (the EKS service accounts' IRSA roles or the Databricks cross-account role)."
}

variable "databricks_host" {
  type        = string
  description = "Databricks workspace URL, e.g. https://dbc-1234.cloud.databricks.com."
}

variable "databricks_storage_credential" {
  type        = string
  description = "Name of the Unity Catalog storage credential (an IAM role Databricks assumes) that may read the bucket."
}

variable "catalog" {
  type        = string
  description = "Unity Catalog catalog of the silver and gold tables."
  default     = "main"
}

variable "schema" {
  type        = string
  description = "Schema (database) of the silver and gold tables, created here."
  default     = "fitlake"
}

variable "spark_version" {
  type        = string
  description = "Databricks Runtime of the job cluster (Spark 4.x, Python 3.11 or later)."
  default     = "17.3.x-scala2.13"
}

variable "node_type_id" {
  type        = string
  description = "Instance type of the job cluster's driver and workers."
  default     = "i3.xlarge"
}

variable "workers" {
  type        = number
  description = "Workers of the job cluster."
  default     = 2
}

variable "timezone" {
  type        = string
  description = "The gym's IANA time zone (fitlake's timezone): the job's schedule and its SQL."
  default     = "America/New_York"
}

variable "repo_path" {
  type        = string
  description = "Workspace path of the fitlake checkout (a Databricks Git folder) holding the job's Python files and SQL models."
}

variable "tags" {
  type        = map(string)
  description = "Extra tags on every AWS resource."
  default     = {}
}
