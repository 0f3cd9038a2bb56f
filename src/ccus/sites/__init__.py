"""Sites, their subcontract trees and rosters."""
