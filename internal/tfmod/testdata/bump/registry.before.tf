# Networking for the payments platform.
# Owned by the platform team.

module "vpc" {
  source  = "spacelift.io/acme/vpc/aws" # pinned on purpose
  version = "1.2.0"

  name       = "payments-core"
  cidr_block = "10.20.0.0/16"

  tags = {
    Team = "payments" # cost allocation
  }
}

// The edge VPC follows minor releases.
module "edge_vpc" {
  source      = "spacelift.io/acme/vpc/aws"
  version     = "~> 1.2"
  name        = "edge"
}

module "db" {
  source  = "spacelift.io/acme/rds/aws"
  version = "3.1.0"
}

/* Legacy VPC: patch releases only,
   until the migration is done. */
module "legacy_vpc" {
  source  = "spacelift.io/acme/vpc/aws"
  version = "~> 1.2.0"
}

module "tfc_vpc" {
  source  = "app.terraform.io/acme/vpc/aws"
  version = "= 1.2.0"
}

module "ranged_vpc" {
  source  = "spacelift.io/acme/vpc/aws"
  version = ">= 1.2.0, < 2.0.0"
}

resource "aws_route53_zone" "internal" {
  name = "payments.internal" # version = "1.2.0" in a comment stays
}
