# fitlake's cloud resources: an S3 bucket for the lakehouse's Spark/Databricks tables and backups,
# IAM for the jobs that write it, and a Databricks job running the Spark entry point
# (pipelines/engine/spark/databricks_job.py). Validated offline only (README "Deployment").
terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
    databricks = {
      source  = "databricks/databricks"
      version = "~> 1.70"
    }
  }
}

provider "aws" {
  region = var.aws_region
  default_tags {
    tags = local.tags
  }
}

# Credentials from the environment (DATABRICKS_HOST, DATABRICKS_TOKEN or a profile), never in code.
provider "databricks" {
  host = var.databricks_host
}

locals {
  tags = merge({ project = "fitlake", environment = var.environment }, var.tags)
}
