# The role fitlake's jobs (the Kubernetes CronJobs through IRSA, the Spark job) assume to use the
# bucket: list it, read and write objects, and use its KMS key. Nothing else.
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = var.job_principal_arns
    }
  }
}

resource "aws_iam_role" "jobs" {
  name               = "fitlake-${var.environment}-jobs"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "lakehouse" {
  statement {
    sid       = "ListBucket"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [aws_s3_bucket.lakehouse.arn]
  }
  statement {
    sid       = "ReadWriteObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${aws_s3_bucket.lakehouse.arn}/*"]
  }
  statement {
    sid       = "UseKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.lakehouse.arn]
  }
}

resource "aws_iam_policy" "lakehouse" {
  name   = "fitlake-${var.environment}-lakehouse"
  policy = data.aws_iam_policy_document.lakehouse.json
}

resource "aws_iam_role_policy_attachment" "jobs" {
  role       = aws_iam_role.jobs.name
  policy_arn = aws_iam_policy.lakehouse.arn
}
